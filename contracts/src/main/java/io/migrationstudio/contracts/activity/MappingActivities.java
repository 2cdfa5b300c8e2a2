package io.migrationstudio.contracts.activity;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Mapping: schema mapper (producer) then compatibility reviewer (checker). */
@ActivityInterface(namePrefix = "Mapping_")
public interface MappingActivities {
  /** Writes {@code mapping.yaml}. */
  @ActivityMethod
  StageResult generateMapping(StageRequest request);

  /**
   * Checks the {@code mapping.yaml} at the request's commit against the real data; writes {@code
   * compatibility.{json,md}} and {@code dry-run.md}.
   */
  @ActivityMethod
  StageResult reviewCompatibility(StageRequest request);
}
