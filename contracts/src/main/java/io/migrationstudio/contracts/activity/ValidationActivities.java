package io.migrationstudio.contracts.activity;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Validation: validator (producer) then regression tester (checker). */
@ActivityInterface(namePrefix = "Validation_")
public interface ValidationActivities {
  /** Counts, per-chunk checksums, samples, FK orphans: {@code validation.{json,md}}. */
  @ActivityMethod
  StageResult validate(StageRequest request);

  /**
   * Replays the spec's query set on both sides: {@code regression.{json,md}}; PASS only when the
   * validation report passed and no query regressed.
   */
  @ActivityMethod
  StageResult replayRegression(StageRequest request);

  /**
   * Reads the newest {@code validation.json} on the request's branch (its generation time and
   * ledger state) and the chunk ledger on the target now; writes nothing.
   */
  @ActivityMethod
  FreshnessResult checkFreshness(StageRequest request);

  /**
   * After a FAIL: which ledger chunks of the failing tables differ (their canonical hashes on both
   * sides), committed as {@code repair-plan.{json,md}} at the request's branch; reads {@code
   * validation.json} at the request's commit. Changes no data.
   */
  @ActivityMethod
  RepairPlan planRepair(StageRequest request);
}
