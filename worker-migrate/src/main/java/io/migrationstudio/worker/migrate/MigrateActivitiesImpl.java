package io.migrationstudio.worker.migrate;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.ActivityFailures;
import io.migrationstudio.contracts.activity.ChunkBatchRequest;
import io.migrationstudio.contracts.activity.ChunkBatchResult;
import io.migrationstudio.contracts.activity.ChunkRequest;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.LoadFailure;
import io.migrationstudio.contracts.activity.MigrateActivities;
import io.migrationstudio.contracts.activity.MigratePlan;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.TableLoadRequest;
import io.migrationstudio.core.assess.EstimateVersusActual;
import io.migrationstudio.core.copy.LoadFinisher;
import io.migrationstudio.core.copy.MigrateService;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.evidence.StageArtifacts;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.spec.SecretResolver;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Migrate's activities: a thin adapter over {@link MigrateService} (built once). Each reads the
 * mapping at the commit it was given, passes Temporal's context in (attempt, heartbeat) and commits
 * what the service produced as the stage's role; failures cross into Temporal through {@link
 * ActivityFailures}.
 */
public final class MigrateActivitiesImpl implements MigrateActivities {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(MigrateActivitiesImpl.class);
  private final ArtifactStore store;
  private final StageArtifacts artifacts;
  private final MigrateService migrate;

  /** This process as Temporal names its workers by default (pid@host), for the ledger. */
  static final String WORKER_IDENTITY =
      java.lang.management.ManagementFactory.getRuntimeMXBean().getName();

  /** The throttle in force per table copy, once a chunk ran (its client comes with the chunk). */
  private LiveRates liveRates;

  public MigrateActivitiesImpl(ArtifactStore store, SecretResolver secrets) {
    this(store, secrets, null);
  }

  /** With {@code liveRates} answering the throttle of running chunks (null: Temporal's query). */
  MigrateActivitiesImpl(ArtifactStore store, SecretResolver secrets, LiveRates liveRates) {
    this.store = Objects.requireNonNull(store);
    this.artifacts = new StageArtifacts(this.store);
    this.migrate = new MigrateService(Objects.requireNonNull(secrets));
    this.liveRates = liveRates;
  }

  @Override
  public MigratePlan prepareTarget(StageRequest req) {
    return ActivityFailures.run(
        () -> {
          MappingDocument mapping = artifacts.mapping(req.branch(), req.commit());
          TargetPreparer.Prepared prepared =
              migrate.prepare(req.spec(), mapping, req.migrationId());
          ArtifactStore.CommitOutcome outcome =
              store.commit(
                  req.branch(),
                  Stage.MIGRATE.producerRole(),
                  "Migrate: target schema for " + prepared.tables().size() + " tables",
                  Map.of(ArtifactPaths.TARGET_SCHEMA_SQL, Json.bytes(prepared.targetSchemaSql())));
          return new MigratePlan(outcome.head(), prepared.tables());
        });
  }

  @Override
  public ChunkResult copyChunk(ChunkRequest req) {
    return ActivityFailures.run(
        () -> {
          long t0 = System.nanoTime();
          MappingDocument mapping = artifacts.mapping(req.branch(), req.mappingCommit());
          if (log.isDebugEnabled()) {
            log.debug(
                "chunk-timing table={} chunk={} mapping_ms={}",
                req.sourceTable(),
                req.chunk().index(),
                (System.nanoTime() - t0) / 1_000_000.0);
          }
          ActivityExecutionContext ctx = Activity.getExecutionContext();
          // test environments report attempt 0; the service counts from 1
          return migrate.copyChunk(
              req,
              mapping,
              ctx.getInfo().getAttempt(),
              WORKER_IDENTITY,
              ctx::heartbeat,
              liveRate(ctx));
        });
  }

  /**
   * The rate cap a {@code studio throttle} sets while this chunk copies, as its table copy workflow
   * answers; null where no workflow client is at hand (an activity test environment).
   */
  private java.util.function.Supplier<Long> liveRate(ActivityExecutionContext ctx) {
    LiveRates rates = liveRates(ctx);
    return rates == null ? null : rates.rate(ctx.getInfo().getWorkflowId());
  }

  /**
   * Whether this batch's table copy is paused or cancelled now, asked between its chunks (see
   * {@link LiveRates#held}); never where no workflow client is at hand.
   */
  private java.util.function.BooleanSupplier held(ActivityExecutionContext ctx) {
    LiveRates rates = liveRates(ctx);
    return rates == null ? () -> false : rates.held(ctx.getInfo().getWorkflowId());
  }

  /** The process's live rates, made on first use; null where no workflow client is at hand. */
  private synchronized LiveRates liveRates(ActivityExecutionContext ctx) {
    if (liveRates == null) {
      try {
        liveRates = LiveRates.of(ctx.getWorkflowClient());
      } catch (RuntimeException noClient) {
        return null;
      }
    }
    return liveRates;
  }

  @Override
  public ChunkBatchResult copyChunks(ChunkBatchRequest req) {
    return ActivityFailures.run(
        () -> {
          MappingDocument mapping = artifacts.mapping(req.branch(), req.mappingCommit());
          ActivityExecutionContext ctx = Activity.getExecutionContext();
          return migrate.copyChunks(
              req,
              mapping,
              ctx.getInfo().getAttempt(),
              WORKER_IDENTITY,
              ctx::heartbeat,
              liveRate(ctx),
              held(ctx));
        });
  }

  @Override
  public void buildTableIndexes(TableLoadRequest req) {
    ActivityFailures.run(
        () -> {
          MappingDocument mapping = artifacts.mapping(req.branch(), req.mappingCommit());
          // a DDL statement reports no progress: heartbeat from the side while it runs, so a
          // lost worker is noticed within the heartbeat timeout and the build redone elsewhere
          ActivityExecutionContext ctx = Activity.getExecutionContext();
          ScheduledExecutorService beat =
              Executors.newSingleThreadScheduledExecutor(
                  r -> {
                    Thread t = new Thread(r, "index-build-heartbeat");
                    t.setDaemon(true);
                    return t;
                  });
          try {
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
                TimeUnit.SECONDS);
            migrate.buildTableIndexes(req.spec(), mapping, req.migrationId(), req.sourceTable());
          } finally {
            beat.shutdownNow();
          }
          return null;
        });
  }

  @Override
  public StageResult finishLoad(StageRequest req) {
    return ActivityFailures.run(
        () -> {
          MappingDocument mapping = artifacts.mapping(req.branch(), req.commit());
          StageOutput out =
              migrate.finishLoad(
                  req.spec(), mapping, req.migrationId(), req.stageStartedAtMillis());
          // run.md holds the plan to account: estimate versus actual per table
          String at = req.commit() == null || req.commit().isBlank() ? req.branch() : req.commit();
          out = EstimateVersusActual.append(out, store.read(at, ArtifactPaths.PLAN_JSON));
          return commit(req, Stage.MIGRATE.producerRole(), "Migrate: run ledger summary", out);
        });
  }

  @Override
  public StageResult recordFailedLoad(LoadFailure f) {
    return ActivityFailures.run(
        () -> {
          StageOutput out;
          try {
            MappingDocument mapping = artifacts.mapping(f.branch(), f.mappingCommit());
            out =
                migrate.failedLoad(
                    f.spec(),
                    mapping,
                    f.migrationId(),
                    f.stageStartedAtMillis(),
                    f.sourceTable(),
                    f.reason());
          } catch (RuntimeException e) {
            // the failure itself may be the target: the evidence still says what failed
            log.warn(
                "run.json of failed migration {} without the ledger: {}",
                f.migrationId(),
                e.getMessage());
            out =
                LoadFinisher.failedWithoutLedger(
                    f.migrationId(), f.stageStartedAtMillis(), f.sourceTable(), f.reason());
          }
          return artifacts.commit(
              Stage.MIGRATE,
              Stage.MIGRATE.producerRole(),
              f.branch(),
              "Migrate: copy failed"
                  + (f.sourceTable() == null ? "" : " in " + f.sourceTable())
                  + ", run ledger summary",
              out);
        });
  }

  @Override
  public StageResult dryRun(StageRequest req) {
    return ActivityFailures.run(
        () -> {
          MappingDocument mapping = artifacts.mapping(req.branch(), req.commit());
          ActivityExecutionContext ctx = Activity.getExecutionContext();
          StageOutput out = migrate.dryRun(req.spec(), mapping, req.migrationId(), ctx::heartbeat);
          return commit(
              req, Stage.MIGRATE.producerRole(), "Migrate: dry run (nothing written)", out);
        });
  }

  @Override
  public StageResult checkIntegration(StageRequest req) {
    return ActivityFailures.run(
        () -> {
          if (req.spec().migrate().dryRun()) {
            byte[] report =
                artifacts.require(
                    req.branch(),
                    req.commit(),
                    ArtifactPaths.DRY_RUN_REPORT_JSON,
                    Stage.MIGRATE.producerRole());
            StageOutput out = migrate.checkDryRun(req.spec(), report, req.migrationId());
            return commit(req, Stage.MIGRATE.checkerRole(), "Migrate: dry run check", out);
          }
          MappingDocument mapping = artifacts.mapping(req.branch(), req.commit());
          StageOutput checked = migrate.checkIntegration(req.spec(), mapping, req.migrationId());
          // the Migrate gate's text says what the strategy demands of the source's writes
          StageOutput out =
              new StageOutput(
                  checked.files(),
                  checked.verdict(),
                  checked.summary() + "; " + writesNote(req.spec().migrate()));
          return commit(req, Stage.MIGRATE.checkerRole(), "Migrate: integration check", out);
        });
  }

  /** What the strategy demands of the source's writes once the copy is done (the gate's text). */
  static String writesNote(io.migrationstudio.contracts.spec.MigrateOptions migrate) {
    return migrate.online()
        ? "strategy online: the source keeps taking writes; the change stream keeps the target in"
            + " sync (caught up below max_lag "
            + migrate.maxLag()
            + ")"
        : "strategy bulk: keep writes to the source stopped until the cutover; a write made since"
            + " Migrate started is not on the target";
  }

  private StageResult commit(StageRequest req, String role, String title, StageOutput out) {
    return artifacts.commit(Stage.MIGRATE, role, req.branch(), title, out);
  }
}
