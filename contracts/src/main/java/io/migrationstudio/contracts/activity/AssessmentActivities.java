package io.migrationstudio.contracts.activity;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Assessment: inventory (producer) then risk assessment (checker). */
@ActivityInterface(namePrefix = "Assessment_")
public interface AssessmentActivities {
  /** Writes {@code inventory.{json,md}} and {@code plan.md}. */
  @ActivityMethod
  StageResult inventory(StageRequest request);

  /** Writes {@code risks.{json,md}}; FAIL when a risk blocks the migration. */
  @ActivityMethod
  StageResult assessRisks(StageRequest request);
}
