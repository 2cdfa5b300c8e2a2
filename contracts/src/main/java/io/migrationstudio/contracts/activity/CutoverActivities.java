package io.migrationstudio.contracts.activity;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Cutover: the coordinator writes the runbook, the rollback engineer rehearses the way back, and
 * after the gate the coordinator executes.
 */
@ActivityInterface(namePrefix = "Cutover_")
public interface CutoverActivities {
  /** Writes {@code runbook.md} with durations measured in this run. */
  @ActivityMethod
  StageResult planCutover(StageRequest request);

  /**
   * Rehearses freeze, switch and rollback and times the rollback against the RTO: {@code
   * rollback.md}, {@code drill.json}; FAIL when the rollback misses the RTO or fails.
   */
  @ActivityMethod
  StageResult drillRollback(StageRequest request);

  /**
   * The cutover gate's checker from version {@code drill-after-approval} on: {@code drill-plan.md},
   * what the drill will do on the real pair once the gate is approved (no database access).
   */
  @ActivityMethod
  StageResult planDrill(StageRequest request);

  /**
   * The drill after the cutover approval, on the real pair (freeze, drain, switch, writes on the
   * target, reverse drain, switch back, unfreeze; each step timed against the RTO): {@code
   * drill.json}, {@code rollback.md} and {@code runbook.md} re-rendered with the measured
   * durations; FAIL when a step failed or the way back missed the RTO.
   */
  @ActivityMethod
  StageResult drillAfterApproval(StageRequest request);

  /**
   * Freeze writes on the source, final quick validation, switch, post-checks: {@code
   * cutover-log.{json,md}}.
   */
  @ActivityMethod
  StageResult executeCutover(StageRequest request);
}
