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
   * Freeze writes on the source, final quick validation, switch, post-checks: {@code
   * cutover-log.{json,md}}.
   */
  @ActivityMethod
  StageResult executeCutover(StageRequest request);
}
