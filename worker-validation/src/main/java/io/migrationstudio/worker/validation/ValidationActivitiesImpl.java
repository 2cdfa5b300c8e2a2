package io.migrationstudio.worker.validation;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.activity.ActivityFailures;
import io.migrationstudio.contracts.activity.FreshnessResult;
import io.migrationstudio.contracts.activity.RepairPlan;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.ValidationActivities;
import io.migrationstudio.core.cutover.FinalCheck;
import io.migrationstudio.core.evidence.StageArtifacts;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.validate.Freshness;
import io.migrationstudio.core.validate.RegressionReplayer;
import io.migrationstudio.core.validate.RepairPlanner;
import io.migrationstudio.core.validate.ValidationService;
import io.migrationstudio.core.validate.Validator;
import java.util.Objects;

/**
 * Validation's activities: a thin adapter over {@link ValidationService} (built once), which runs
 * {@link Validator} (producer: {@code validation.{json,md}}, stamped by {@link Freshness}), {@link
 * RegressionReplayer} (checker: {@code regression.{json,md}}), the freshness check Cutover runs
 * before executing, and the repair planner. The adapter reads artifacts and commits results.
 */
public final class ValidationActivitiesImpl implements ValidationActivities {
  private final ArtifactStore store;
  private final StageArtifacts artifacts;
  private final ValidationService validation;
  private final SecretResolver secrets;

  public ValidationActivitiesImpl(ArtifactStore store, SecretResolver secrets) {
    this.store = Objects.requireNonNull(store);
    this.secrets = secrets;
    this.artifacts = new StageArtifacts(this.store);
    this.validation = new ValidationService(Objects.requireNonNull(secrets));
  }

  @Override
  public StageResult validate(StageRequest req) {
    return ActivityFailures.run(
        () -> {
          String at = at(req);
          byte[] yaml =
              store
                  .read(at, ArtifactPaths.MAPPING_YAML)
                  .orElseThrow(
                      () ->
                          new MigrationException(
                              ErrorCode.INVALID_ARTIFACT,
                              ArtifactPaths.MAPPING_YAML
                                  + " is missing at "
                                  + at
                                  + "; validation compares through the approved mapping"));
          MappingDocument mapping =
              MappingLoader.read(yaml, ArtifactPaths.MAPPING_YAML + " at " + at);
          // the last report on the branch: an online migration reuses its proofs of the chunks
          // the change stream did not touch since
          String previousCommit = lastReport(req.branch());
          if (previousCommit == null
              && req.branch().equals(TaskQueues.validationBranch(req.migrationId()))) {
            // the first validation-only run may reuse the migration's own Validation report (if
            // it was made through the same mapping: ChunkReuse checks)
            previousCommit = lastReport(TaskQueues.branch(req.migrationId()));
          }
          byte[] previous =
              previousCommit == null
                  ? null
                  : store.read(previousCommit, ArtifactPaths.VALIDATION_JSON).orElse(null);
          StageOutput out =
              validation.validate(
                  req.spec(),
                  mapping,
                  req.migrationId(),
                  req.stageStartedAtMillis(),
                  previous,
                  previousCommit);
          // a passed report: the change stream's record of changed rows up to its proof serves
          // no later check
          FinalCheck.pruneToProof(
              req.spec(),
              secrets,
              req.migrationId(),
              out.files().get(ArtifactPaths.VALIDATION_JSON));
          return commit(req, Stage.VALIDATION.producerRole(), "Validation: report", out);
        });
  }

  @Override
  public StageResult replayRegression(StageRequest req) {
    return ActivityFailures.run(
        () -> {
          byte[] report = store.read(at(req), ArtifactPaths.VALIDATION_JSON).orElse(null);
          StageOutput out = validation.replay(req.spec(), req.migrationId(), report);
          return commit(req, Stage.VALIDATION.checkerRole(), "Validation: regression replay", out);
        });
  }

  @Override
  public FreshnessResult checkFreshness(StageRequest req) {
    return ActivityFailures.run(
        () -> {
          String reportCommit = lastReport(req.branch());
          byte[] report =
              reportCommit == null
                  ? null
                  : store.read(reportCommit, ArtifactPaths.VALIDATION_JSON).orElseThrow();
          return validation.freshness(
              req.spec(), req.migrationId(), req.branch(), reportCommit, report);
        });
  }

  @Override
  public RepairPlan planRepair(StageRequest req) {
    return ActivityFailures.run(
        () -> {
          byte[] report =
              artifacts.require(
                  req.branch(), req.commit(), ArtifactPaths.VALIDATION_JSON, "the validator");
          MappingDocument mapping = artifacts.mapping(req.branch(), req.commit());
          RepairPlanner.Result planned =
              validation.planRepair(req.spec(), mapping, req.migrationId(), report, at(req));
          StageResult committed =
              commit(
                  req,
                  Stage.VALIDATION.producerRole(),
                  "Validation: repair plan",
                  planned.output());
          return new RepairPlan(
              committed.commit(),
              planned.chunks(),
              planned.repairable(),
              committed.summary(),
              committed.artifacts());
        });
  }

  /** The newest commit of {@code branch} that wrote {@code validation.json}, or null. */
  private String lastReport(String branch) {
    return store.log(branch).stream()
        .filter(c -> c.paths().contains(ArtifactPaths.VALIDATION_JSON))
        .map(ArtifactStore.CommitInfo::id)
        .findFirst()
        .orElse(null);
  }

  private StageResult commit(StageRequest req, String role, String title, StageOutput out) {
    return artifacts.commit(Stage.VALIDATION, role, req.branch(), title, out);
  }

  private static String at(StageRequest req) {
    return req.commit() == null || req.commit().isBlank() ? req.branch() : req.commit();
  }
}
