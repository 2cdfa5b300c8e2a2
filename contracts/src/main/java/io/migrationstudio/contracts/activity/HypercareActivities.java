package io.migrationstudio.contracts.activity;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * After the switch: the hypercare's daily sample and the gated decommission (run by the cutover
 * worker).
 */
@ActivityInterface(namePrefix = "Hypercare_")
public interface HypercareActivities {
  /**
   * Samples who still connects to the source and whether its write guards hold, and commits the
   * day's note {@code 06-hypercare/hypercare-YYYY-MM-DD.{md,json}} (and {@code
   * 06-hypercare/hypercare.json}, the hypercare's start and end, which a recovered migration
   * resumes from). Idempotent per day: a retry rewrites the same note.
   */
  @ActivityMethod
  HypercareNote sample(HypercareRequest request);

  /**
   * What the decommission will remove, as it stands: {@code 07-decommission/plan.{json,md}} (the
   * commit the decommission gate reviews).
   */
  @ActivityMethod
  StageResult planDecommission(StageRequest request);

  /**
   * The approved decommission: drops the capture slots and publications, the studio schema on the
   * target (and the reverse stream's bookkeeping on the source), releases the source's write guards
   * when {@code cutover.after_decommission: release}, and commits {@code
   * 07-decommission/final-report.{json,md}}. Idempotent: what is gone already is reported gone.
   */
  @ActivityMethod
  StageResult decommission(StageRequest request);
}
