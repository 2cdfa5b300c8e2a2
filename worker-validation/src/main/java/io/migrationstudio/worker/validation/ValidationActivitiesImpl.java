package io.migrationstudio.worker.validation;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.ActivityFailures;
import io.migrationstudio.contracts.activity.FreshnessResult;
import io.migrationstudio.contracts.activity.RepairPlan;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.ValidationActivities;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.evidence.StageArtifacts;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.validate.Freshness;
import io.migrationstudio.core.validate.RegressionReplayer;
import io.migrationstudio.core.validate.RepairPlanner;
import io.migrationstudio.core.validate.Validator;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

/**
 * Validation's activities: thin adapters over {@link Validator} (producer: {@code
 * validation.{json,md}}, stamped by {@link Freshness}) and {@link RegressionReplayer} (checker:
 * {@code regression.{json,md}}), and the freshness check Cutover runs before executing.
 */
public final class ValidationActivitiesImpl implements ValidationActivities {
  private final ArtifactStore store;
  private final StageArtifacts artifacts;
  private final SecretResolver secrets;

  public ValidationActivitiesImpl(ArtifactStore store, SecretResolver secrets) {
    this.store = Objects.requireNonNull(store);
    this.artifacts = new StageArtifacts(this.store);
    this.secrets = Objects.requireNonNull(secrets);
  }

  @Override
  public StageResult validate(StageRequest req) {
    return ActivityFailures.run(
        () -> {
          try {
            MigrationSpec spec = req.spec();
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
            StageOutput out;
            try (Connection src = Dialects.openReadOnly(spec.source(), secrets, "source");
                Connection tgt = Dialects.openReadOnly(spec.target(), secrets, "target")) {
              out =
                  new Validator(
                          Dialects.forUrl(spec.source().url()),
                          Dialects.forUrl(spec.target().url()))
                      .validate(
                          src,
                          tgt,
                          mapping,
                          req.migrationId(),
                          spec.validation().sampleRows(),
                          Validator.ledgerlessChunkRows(spec.migrate()),
                          EvidenceMask.plain(spec.mapping().plainEvidence()));
              // when it was made (workflow time) and against which ledger state: Cutover's check
              out =
                  Freshness.stamp(
                      out,
                      req.stageStartedAtMillis(),
                      Freshness.ledgerState(
                          tgt,
                          Dialects.forUrl(spec.target().url()),
                          TargetSchema.DEFAULT_STUDIO_SCHEMA,
                          req.migrationId()));
            }
            return artifacts.commit(
                Stage.VALIDATION,
                Stage.VALIDATION.producerRole(),
                req.branch(),
                "Validation: report",
                out);
          } catch (SQLException e) {
            throw StageArtifacts.closeFailure(e);
          }
        });
  }

  @Override
  public StageResult replayRegression(StageRequest req) {
    return ActivityFailures.run(
        () -> {
          try {
            MigrationSpec spec = req.spec();
            byte[] validation = store.read(at(req), ArtifactPaths.VALIDATION_JSON).orElse(null);
            StageOutput out;
            try (Connection src = Dialects.openReadOnly(spec.source(), secrets, "source");
                Connection tgt = Dialects.openReadOnly(spec.target(), secrets, "target")) {
              out =
                  new RegressionReplayer(
                          Dialects.forUrl(spec.source().url()),
                          Dialects.forUrl(spec.target().url()))
                      .replay(
                          src,
                          tgt,
                          req.migrationId(),
                          spec.validation().queries(),
                          spec.validation().latencyTolerance(),
                          validation);
            }
            return artifacts.commit(
                Stage.VALIDATION,
                Stage.VALIDATION.checkerRole(),
                req.branch(),
                "Validation: regression replay",
                out);
          } catch (SQLException e) {
            throw StageArtifacts.closeFailure(e);
          }
        });
  }

  @Override
  public FreshnessResult checkFreshness(StageRequest req) {
    return ActivityFailures.run(
        () -> {
          try {
            MigrationSpec spec = req.spec();
            String reportCommit =
                store.log(req.branch()).stream()
                    .filter(c -> c.paths().contains(ArtifactPaths.VALIDATION_JSON))
                    .map(ArtifactStore.CommitInfo::id)
                    .findFirst()
                    .orElse(null);
            if (reportCommit == null) {
              return new FreshnessResult(
                  null, null, false, "no " + ArtifactPaths.VALIDATION_JSON + " on " + req.branch());
            }
            Freshness.Stamp stamp =
                Freshness.read(
                    store.read(reportCommit, ArtifactPaths.VALIDATION_JSON).orElseThrow());
            Freshness.LedgerState now;
            try (Connection tgt = Dialects.openReadOnly(spec.target(), secrets, "target")) {
              now =
                  Freshness.ledgerState(
                      tgt,
                      Dialects.forUrl(spec.target().url()),
                      TargetSchema.DEFAULT_STUDIO_SCHEMA,
                      req.migrationId());
            }
            if (stamp.ledger() == null) {
              return new FreshnessResult(
                  stamp.generatedAtMillis(),
                  reportCommit,
                  false,
                  "the report records no ledger state; the ledger now has " + now.describe());
            }
            boolean same = stamp.ledger().equals(now);
            return new FreshnessResult(
                stamp.generatedAtMillis(),
                reportCommit,
                same,
                same
                    ? "ledger unchanged: " + now.describe()
                    : "the chunk ledger changed since the report: it recorded "
                        + stamp.ledger().describe()
                        + ", the target now has "
                        + now.describe());
          } catch (SQLException e) {
            throw StageArtifacts.closeFailure(e);
          }
        });
  }

  @Override
  public RepairPlan planRepair(StageRequest req) {
    return ActivityFailures.run(
        () -> {
          try {
            MigrationSpec spec = req.spec();
            String at = at(req);
            byte[] report =
                artifacts.require(
                    req.branch(), req.commit(), ArtifactPaths.VALIDATION_JSON, "the validator");
            MappingDocument mapping = artifacts.mapping(req.branch(), req.commit());
            RepairPlanner.Result planned;
            try (Connection src = Dialects.openReadOnly(spec.source(), secrets, "source");
                Connection tgt = Dialects.openReadOnly(spec.target(), secrets, "target")) {
              planned =
                  new RepairPlanner(
                          Dialects.forUrl(spec.source().url()),
                          Dialects.forUrl(spec.target().url()),
                          TargetSchema.DEFAULT_STUDIO_SCHEMA)
                      .plan(src, tgt, mapping, req.migrationId(), report, at);
            }
            StageResult committed =
                artifacts.commit(
                    Stage.VALIDATION,
                    Stage.VALIDATION.producerRole(),
                    req.branch(),
                    "Validation: repair plan",
                    planned.output());
            return new RepairPlan(
                committed.commit(),
                planned.chunks(),
                planned.repairable(),
                committed.summary(),
                committed.artifacts());
          } catch (SQLException e) {
            throw StageArtifacts.closeFailure(e);
          }
        });
  }

  private static String at(StageRequest req) {
    return req.commit() == null || req.commit().isBlank() ? req.branch() : req.commit();
  }
}
