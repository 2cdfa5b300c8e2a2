package io.migrationstudio.worker.migrate;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.ActivityFailures;
import io.migrationstudio.contracts.activity.ChunkRequest;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.MigrateActivities;
import io.migrationstudio.contracts.activity.MigratePlan;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.TableLoadRequest;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.ChunkProgress;
import io.migrationstudio.core.copy.CopyOptions;
import io.migrationstudio.core.copy.DryRunner;
import io.migrationstudio.core.copy.IntegrationChecker;
import io.migrationstudio.core.copy.LoadFinisher;
import io.migrationstudio.core.copy.RepairSession;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.evidence.StageArtifacts;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.throttle.ThrottledProgress;
import io.migrationstudio.core.throttle.Throttles;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * Migrate's activities: thin adapters over {@link TargetPreparer}, {@link ChunkCopier}, {@link
 * LoadFinisher} and {@link IntegrationChecker}. Each opens its own source/target connections, reads
 * the mapping at the commit it was given, and commits what it produced as the stage's role.
 */
public final class MigrateActivitiesImpl implements MigrateActivities {
  private final ArtifactStore store;
  private final StageArtifacts artifacts;
  private final SecretResolver secrets;

  /** The rate limiters of this worker process, one per rate (the cap holds per worker). */
  private final Throttles.Limiters limiters = new Throttles.Limiters();

  /** This process as Temporal names its workers by default (pid@host), for the ledger. */
  static final String WORKER_IDENTITY =
      java.lang.management.ManagementFactory.getRuntimeMXBean().getName();

  public MigrateActivitiesImpl(ArtifactStore store, SecretResolver secrets) {
    this.store = Objects.requireNonNull(store);
    this.artifacts = new StageArtifacts(this.store);
    this.secrets = Objects.requireNonNull(secrets);
  }

  @Override
  public MigratePlan prepareTarget(StageRequest req) {
    return ActivityFailures.run(
        () -> {
          try {
            MigrationSpec spec = req.spec();
            MappingDocument mapping = artifacts.mapping(req.branch(), req.commit());
            TargetPreparer.Prepared prepared;
            try (Connection src = Dialects.open(spec.source(), secrets, "source");
                Connection tgt = Dialects.open(spec.target(), secrets, "target")) {
              prepared =
                  new TargetPreparer(dialect(spec.source().url()), dialect(spec.target().url()))
                      .prepare(
                          src,
                          tgt,
                          mapping,
                          req.migrationId(),
                          spec.migrate().chunkRows(),
                          spec.migrate().chunkBytes(),
                          spec.migrate().replacesNonEmptyTarget());
            }
            ArtifactStore.CommitOutcome outcome =
                store.commit(
                    req.branch(),
                    Stage.MIGRATE.producerRole(),
                    "Migrate: target schema for " + prepared.tables().size() + " tables",
                    Map.of(
                        ArtifactPaths.TARGET_SCHEMA_SQL, Json.bytes(prepared.targetSchemaSql())));
            return new MigratePlan(outcome.head(), prepared.tables());
          } catch (SQLException e) {
            throw StageArtifacts.closeFailure(e);
          }
        });
  }

  @Override
  public ChunkResult copyChunk(ChunkRequest req) {
    return ActivityFailures.run(
        () -> {
          try {
            MigrationSpec spec = req.spec();
            MappingDocument mapping = artifacts.mapping(req.branch(), req.mappingCommit());
            TableMapping table =
                mapping
                    .bySource(req.sourceTable())
                    .orElseThrow(
                        () ->
                            new MigrationException(
                                ErrorCode.INVALID_ARTIFACT,
                                "table "
                                    + req.sourceTable()
                                    + " is not in mapping.yaml at "
                                    + req.mappingCommit()
                                    + "; re-run prepareTarget on the approved mapping"));
            ActivityExecutionContext ctx = Activity.getExecutionContext();
            ChunkProgress heartbeat = ctx::heartbeat;
            CopyOptions options =
                CopyOptions.defaults()
                    .withRejectLimit(spec.migrate().rejectLimit())
                    // a repair redoes a chunk the ledger shows committed
                    .withForce(req.force())
                    // test environments report attempt 0
                    .withDeliveryAttempt(Math.max(1, ctx.getInfo().getAttempt()))
                    .withWorker(WORKER_IDENTITY);
            Long rate = spec.migrate().maxRowsPerSecond();
            if (rate != null) {
              options =
                  options.withProgressEvery(
                      ThrottledProgress.progressEvery(rate, options.progressEvery()));
            }
            try (Connection src = Dialects.open(spec.source(), secrets, "source");
                Connection tgt = Dialects.open(spec.target(), secrets, "target");
                Throttles throttles = Throttles.open(spec, secrets, limiters)) {
              heartbeat = throttles.wrap(heartbeat);
              if (req.force()) {
                RepairSession.prepare(tgt);
              }
              ChunkCopier copier =
                  new ChunkCopier(
                      dialect(spec.source().url()),
                      dialect(spec.target().url()),
                      TargetSchema.DEFAULT_STUDIO_SCHEMA,
                      Clock.systemUTC(),
                      options);
              return copier.copy(
                  src, tgt, mapping, table, req.chunk(), req.migrationId(), heartbeat);
            }
          } catch (SQLException e) {
            throw StageArtifacts.closeFailure(e);
          }
        });
  }

  @Override
  public void buildTableIndexes(TableLoadRequest req) {
    ActivityFailures.run(
        () -> {
          try {
            MappingDocument mapping = artifacts.mapping(req.branch(), req.mappingCommit());
            // a DDL statement reports no progress: heartbeat from the side while it runs, so a
            // lost worker is noticed within the heartbeat timeout and the build redone elsewhere
            ActivityExecutionContext ctx = Activity.getExecutionContext();
            java.util.concurrent.ScheduledExecutorService beat =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    r -> {
                      Thread t = new Thread(r, "index-build-heartbeat");
                      t.setDaemon(true);
                      return t;
                    });
            try (Connection tgt = Dialects.open(req.spec().target(), secrets, "target")) {
              beat.scheduleAtFixedRate(
                  () -> {
                    try {
                      ctx.heartbeat(req.sourceTable());
                    } catch (RuntimeException e) {
                      // cancelled or timed out: the activity's own result decides
                    }
                  },
                  0,
                  5,
                  java.util.concurrent.TimeUnit.SECONDS);
              new LoadFinisher(dialect(req.spec().target().url()))
                  .finishTable(tgt, mapping, req.migrationId(), req.sourceTable());
            } finally {
              beat.shutdownNow();
            }
            return null;
          } catch (SQLException e) {
            throw StageArtifacts.closeFailure(e);
          }
        });
  }

  @Override
  public StageResult finishLoad(StageRequest req) {
    return ActivityFailures.run(
        () -> {
          try {
            MappingDocument mapping = artifacts.mapping(req.branch(), req.commit());
            StageOutput out;
            try (Connection tgt = Dialects.open(req.spec().target(), secrets, "target")) {
              out =
                  new LoadFinisher(dialect(req.spec().target().url()))
                      .finish(tgt, mapping, req.migrationId(), req.stageStartedAtMillis());
            }
            return artifacts.commit(
                Stage.MIGRATE,
                Stage.MIGRATE.producerRole(),
                req.branch(),
                "Migrate: run ledger summary",
                out);
          } catch (SQLException e) {
            throw StageArtifacts.closeFailure(e);
          }
        });
  }

  @Override
  public StageResult dryRun(StageRequest req) {
    return ActivityFailures.run(
        () -> {
          try {
            MigrationSpec spec = req.spec();
            MappingDocument mapping = artifacts.mapping(req.branch(), req.commit());
            ActivityExecutionContext ctx = Activity.getExecutionContext();
            DryRunner.Report report;
            try (Connection src = Dialects.open(spec.source(), secrets, "source");
                Connection tgt = Dialects.open(spec.target(), secrets, "target")) {
              report =
                  new DryRunner(dialect(spec.source().url()), dialect(spec.target().url()))
                      .run(
                          src,
                          tgt,
                          mapping,
                          req.migrationId(),
                          spec.migrate().chunkRows(),
                          spec.migrate().rejectLimit(),
                          ctx::heartbeat);
            }
            return artifacts.commit(
                Stage.MIGRATE,
                Stage.MIGRATE.producerRole(),
                req.branch(),
                "Migrate: dry run (nothing written)",
                DryRunner.output(report));
          } catch (SQLException e) {
            throw StageArtifacts.closeFailure(e);
          }
        });
  }

  @Override
  public StageResult checkIntegration(StageRequest req) {
    if (req.spec().migrate().dryRun()) {
      return checkDryRun(req);
    }
    return ActivityFailures.run(
        () -> {
          try {
            MappingDocument mapping = artifacts.mapping(req.branch(), req.commit());
            StageOutput out;
            try (Connection tgt = Dialects.open(req.spec().target(), secrets, "target")) {
              out =
                  new IntegrationChecker(dialect(req.spec().target().url()))
                      .check(tgt, mapping, req.migrationId(), req.spec().migrate().rejectLimit());
            }
            return artifacts.commit(
                Stage.MIGRATE,
                Stage.MIGRATE.checkerRole(),
                req.branch(),
                "Migrate: integration check",
                out);
          } catch (SQLException e) {
            throw StageArtifacts.closeFailure(e);
          }
        });
  }

  /** The integration tester on a dry run: the report's verdict and a target left untouched. */
  private StageResult checkDryRun(StageRequest req) {
    return ActivityFailures.run(
        () -> {
          try {
            byte[] report =
                artifacts.require(
                    req.branch(),
                    req.commit(),
                    ArtifactPaths.DRY_RUN_REPORT_JSON,
                    Stage.MIGRATE.producerRole());
            StageOutput out;
            try (Connection tgt = Dialects.open(req.spec().target(), secrets, "target")) {
              out =
                  new DryRunner(
                          dialect(req.spec().source().url()), dialect(req.spec().target().url()))
                      .check(tgt, report, req.migrationId());
            }
            return artifacts.commit(
                Stage.MIGRATE,
                Stage.MIGRATE.checkerRole(),
                req.branch(),
                "Migrate: dry run check",
                out);
          } catch (SQLException e) {
            throw StageArtifacts.closeFailure(e);
          }
        });
  }

  /** mapping.yaml at a commit (the branch head when none is given). */
  private static Dialect dialect(String url) {
    return Dialects.forUrl(url);
  }
}
