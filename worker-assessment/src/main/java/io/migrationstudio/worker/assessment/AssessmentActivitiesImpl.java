package io.migrationstudio.worker.assessment;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.activity.ActivityFailures;
import io.migrationstudio.contracts.activity.AssessmentActivities;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.assess.RiskAnalyzer;
import io.migrationstudio.core.evidence.StageArtifacts;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.spec.SecretResolver;
import java.util.Objects;

/**
 * Temporal adapter of the Assessment stage: runs {@link InventoryService} (producer) and {@link
 * RiskAnalyzer} (checker) from migration-core, commits their files to the migration branch as the
 * stage's roles, and returns references to them. Re-running with unchanged content commits nothing
 * and returns the same head, because the producer reuses the throughput already on the branch.
 */
public final class AssessmentActivitiesImpl implements AssessmentActivities {
  private static final Stage STAGE = Stage.ASSESSMENT;

  private final ArtifactStore store;
  private final StageArtifacts artifacts;
  private final InventoryService inventory;
  private final RiskAnalyzer risks;

  public AssessmentActivitiesImpl(ArtifactStore store, SecretResolver secrets) {
    this.store = Objects.requireNonNull(store, "store");
    this.artifacts = new StageArtifacts(this.store);
    this.inventory = new InventoryService(Objects.requireNonNull(secrets, "secrets"));
    this.risks = new RiskAnalyzer(secrets);
  }

  @Override
  public StageResult inventory(StageRequest request) {
    return ActivityFailures.run(
        () -> {
          // a validation-only run needs the catalogue for its mapping, no probes or sampling
          StageOutput out =
              TaskQueues.validationBranch(request.migrationId()).equals(request.branch())
                  ? inventory.catalogOnly(request.spec())
                  : inventory.run(
                      request.spec(),
                      store.read(request.branch(), ArtifactPaths.THROUGHPUT_JSON),
                      store.read(request.branch(), ArtifactPaths.INVENTORY_JSON));
          return commit(request, STAGE.producerRole(), "Inventory of the source", out);
        });
  }

  @Override
  public StageResult assessRisks(StageRequest request) {
    return ActivityFailures.run(
        () -> {
          String at = request.commit() == null ? request.branch() : request.commit();
          byte[] json =
              store
                  .read(at, ArtifactPaths.INVENTORY_JSON)
                  .orElseThrow(
                      () ->
                          new MigrationException(
                              ErrorCode.INVALID_ARTIFACT,
                              ArtifactPaths.INVENTORY_JSON
                                  + " is missing at "
                                  + at
                                  + " on branch "
                                  + request.branch()
                                  + "; run the inventory first or restore the file"));
          StageOutput out =
              risks.analyzeInventoryJson(
                  json,
                  ArtifactPaths.INVENTORY_JSON + " at " + at,
                  request.spec(),
                  new java.util.TreeSet<>(request.spec().assessment().checks()),
                  new java.util.TreeSet<>(request.spec().assessment().skipChecks()),
                  store.read(at, ArtifactPaths.THROUGHPUT_JSON));
          return commit(request, STAGE.checkerRole(), "Risk assessment", out);
        });
  }

  private StageResult commit(StageRequest request, String role, String title, StageOutput out) {
    return artifacts.commit(
        STAGE, role, request.branch(), title + " (" + request.migrationId() + ")", out);
  }
}
