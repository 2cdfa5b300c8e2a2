package io.migrationstudio.core.copy;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.activity.ChunkBatchRequest;
import io.migrationstudio.contracts.activity.ChunkBatchResult;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkRequest;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.spec.MigrateOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.dialect.ConnectionPool;
import io.migrationstudio.core.dialect.Connections;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.throttle.ThrottledProgress;
import io.migrationstudio.core.throttle.Throttles;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Migrate stage's work for one spec at a time, built once per worker: each method opens its
 * connections through {@link Connections} (one frame, failures classified), picks the dialects of
 * the spec's URLs and runs {@link TargetPreparer}, {@link ChunkCopier}, {@link LoadFinisher},
 * {@link DryRunner} or {@link IntegrationChecker}. The activity adapter only reads artifacts,
 * passes Temporal's context in and commits what comes out.
 */
public final class MigrateService {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(MigrateService.class);
  private final Secrets secrets;

  /** The rate limiters of this worker process, one per rate (the cap holds per worker). */
  private final Throttles.Limiters limiters = new Throttles.Limiters();

  /** Source and target connections kept from one chunk to the next of this worker. */
  private final ConnectionPool pool = new ConnectionPool();

  /** Per-table facts of a run the chunks share (binary eligibility), decided once per table. */
  private final ChunkCopier.TableFacts facts = new ChunkCopier.TableFacts();

  public MigrateService(Secrets secrets) {
    this.secrets = Objects.requireNonNull(secrets);
  }

  /**
   * The target's migration lock ({@link TargetLock}, refused with TARGET_LOCKED when another
   * migration holds it), then the studio schema, the ledger, the target tables (no indexes) and the
   * chunk plan.
   */
  public TargetPreparer.Prepared prepare(
      MigrationSpec spec, MappingDocument mapping, String migrationId) {
    TargetPreparer preparer = new TargetPreparer(Dialects.source(spec), Dialects.target(spec));
    Integer rows = spec.migrate().chunkRows();
    Long bytes = spec.migrate().chunkBytes();
    String what = "preparing the target of migration " + migrationId;
    boolean replace = spec.migrate().replacesNonEmptyTarget();
    TargetLock lock = new TargetLock(TargetSchema.DEFAULT_STUDIO_SCHEMA);
    return onBoth(
        spec,
        what,
        (src, tgt) -> {
          lock.acquire(tgt, TargetLock.holderFor(spec, migrationId));
          return preparer.prepare(
              src, tgt, mapping, migrationId, rows, bytes, replace, wholeTables(spec));
        });
  }

  /**
   * The default chunk size keeps a table of a few chunks whole when this machine's cores could not
   * copy its chunks in parallel ({@link ChunkSize.WholeTable}); a spec that sets {@code chunk_rows}
   * or a {@code chunk_bytes} other than the default gets its chunks as asked (null).
   */
  static ChunkSize.WholeTable wholeTables(MigrationSpec spec) {
    return wholeTables(spec.migrate());
  }

  /** As above, from the spec's {@code migrate} section (the plan counts chunks the same way). */
  public static ChunkSize.WholeTable wholeTables(MigrateOptions m) {
    boolean defaultSize =
        Long.valueOf(MigrateOptions.DEFAULT_CHUNK_BYTES).equals(m.chunkBytes())
            && m.chunkRows() == MigrateOptions.CHUNK_ROWS_WHEN_SIZED_BY_BYTES;
    return defaultSize ? ChunkSize.WholeTable.onThisMachine(Math.max(1, m.parallelism())) : null;
  }

  /**
   * Releases the target's migration lock if {@code migrationId} holds it (the migration ended);
   * true when it did. Creates nothing on a target the migration never prepared.
   */
  public boolean releaseLock(MigrationSpec spec, String migrationId) {
    TargetLock lock = new TargetLock(TargetSchema.DEFAULT_STUDIO_SCHEMA);
    return onTarget(
        spec,
        "releasing the target lock of migration " + migrationId,
        tgt -> lock.release(tgt, migrationId));
  }

  /**
   * One chunk, exactly once. {@code deliveryAttempt} is Temporal's attempt (at least 1), {@code
   * worker} the process recorded in the ledger; a forced request (a repair) redoes a chunk the
   * ledger shows committed.
   */
  public ChunkResult copyChunk(
      ChunkRequest req,
      MappingDocument mapping,
      int deliveryAttempt,
      String worker,
      ChunkProgress heartbeat) {
    return copyChunk(req, mapping, deliveryAttempt, worker, heartbeat, null, false);
  }

  /**
   * {@link #copyChunk} whose rate cap follows {@code liveRate} while it copies (see {@link
   * Throttles#open(MigrationSpec, Secrets, Throttles.Limiters, java.util.function.Supplier)}).
   */
  public ChunkResult copyChunk(
      ChunkRequest req,
      MappingDocument mapping,
      int deliveryAttempt,
      String worker,
      ChunkProgress heartbeat,
      java.util.function.Supplier<Long> liveRate) {
    return copyChunk(req, mapping, deliveryAttempt, worker, heartbeat, liveRate, false);
  }

  /**
   * Consecutive chunks of one table in order, each exactly once as {@link #copyChunk} copies it, on
   * this worker's pooled connections; each chunk's transaction commits without waiting for its WAL
   * flush ({@link ChunkCopier#withAsyncCommit}) and one flush at the end makes them all durable
   * before the batch reports them. A failure stops the batch: the chunks committed before it stay
   * committed in the ledger, and the retried batch finds them so and goes on from the failed one.
   */
  public ChunkBatchResult copyChunks(
      ChunkBatchRequest req,
      MappingDocument mapping,
      int deliveryAttempt,
      String worker,
      ChunkProgress heartbeat,
      java.util.function.Supplier<Long> liveRate) {
    return copyChunks(req, mapping, deliveryAttempt, worker, heartbeat, liveRate, () -> false);
  }

  /**
   * {@link #copyChunks} that, for a request with {@code stopWhenPaused}, asks {@code held} before
   * each chunk and stops there when it answers true (the table copy is paused or cancelled): the
   * result then holds the chunks copied so far, made durable as a whole batch's are, and the
   * workflow starts the others after a resume.
   */
  public ChunkBatchResult copyChunks(
      ChunkBatchRequest req,
      MappingDocument mapping,
      int deliveryAttempt,
      String worker,
      ChunkProgress heartbeat,
      java.util.function.Supplier<Long> liveRate,
      java.util.function.BooleanSupplier held) {
    List<ChunkResult> results = new ArrayList<>(req.chunks().size());
    boolean pending = false;
    for (ChunkRange range : req.chunks()) {
      if (req.stopWhenPaused() && held.getAsBoolean()) {
        log.info(
            "table {} paused or cancelled: chunk {} and the {} after it are left for the resume",
            req.sourceTable(),
            range.index(),
            req.chunks().size() - results.size() - 1);
        break;
      }
      // a redelivered batch failed at its first chunk not committed yet; the later ones are
      // delivered for the first time (the ledger counts a chunk's attempts, not the batch's)
      int attempt = pending ? 1 : deliveryAttempt;
      ChunkResult r =
          copyChunk(req.chunk(range), mapping, attempt, worker, heartbeat, liveRate, true);
      pending |= !r.alreadyCommitted();
      results.add(r);
    }
    if (pending && Dialects.target(req.spec()).speaksPostgres()) {
      Connections.onTargetPooled(
          pool,
          req.spec(),
          secrets,
          "making the chunks of table " + req.sourceTable() + " durable",
          tgt -> {
            ChunkCopier.flushCommitted(tgt);
            return null;
          });
    }
    return new ChunkBatchResult(results);
  }

  private ChunkResult copyChunk(
      ChunkRequest req,
      MappingDocument mapping,
      int deliveryAttempt,
      String worker,
      ChunkProgress heartbeat,
      java.util.function.Supplier<Long> liveRate,
      boolean asyncCommit) {
    MigrationSpec spec = req.spec();
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
    CopyOptions options = copyOptions(spec, req.force(), deliveryAttempt, worker);
    String what = "copying chunk " + req.chunk().index() + " of table " + req.sourceTable();
    long called = System.nanoTime();
    long[] began = new long[2];
    Connections.PairWork<ChunkResult> work =
        (src, tgt) -> {
          began[0] = System.nanoTime();
          try (Throttles throttles = Throttles.open(spec, secrets, limiters, liveRate)) {
            ChunkProgress progress = throttles.wrap(heartbeat);
            if (req.force()) {
              RepairSession.prepare(tgt);
            }
            ChunkCopier copier =
                new ChunkCopier(
                        Dialects.source(spec),
                        Dialects.target(spec),
                        TargetSchema.DEFAULT_STUDIO_SCHEMA,
                        Clock.systemUTC(),
                        options)
                    .withTableFacts(facts, req.mappingCommit());
            if (asyncCommit) {
              copier = copier.withAsyncCommit();
            }
            ChunkResult copied =
                copier.copy(src, tgt, mapping, table, req.chunk(), req.migrationId(), progress);
            began[1] = System.nanoTime();
            return copied;
          }
        };
    // a repair changes its target session (RepairSession): its connections are not shared
    ChunkResult result =
        req.force()
            ? Connections.onBoth(spec, secrets, what, work)
            : Connections.onBothPooled(pool, spec, secrets, what, work);
    if (log.isDebugEnabled()) {
      long done = System.nanoTime();
      // the fixed cost of a chunk, phase by phase (bench/chunk-cost.sh reads these lines)
      log.debug(
          "chunk-timing table={} chunk={} rows={} connect_ms={} copy_ms={} release_ms={}",
          req.sourceTable(),
          req.chunk().index(),
          result.rows(),
          (began[0] - called) / 1_000_000.0,
          (began[1] - began[0]) / 1_000_000.0,
          (done - began[1]) / 1_000_000.0);
    }
    return result;
  }

  /** The copy options a spec and a delivery ask for. */
  static CopyOptions copyOptions(
      MigrationSpec spec, boolean force, int deliveryAttempt, String worker) {
    CopyOptions options =
        CopyOptions.defaults()
            .withRejectLimit(spec.migrate().rejectLimit())
            .withForce(force)
            .withDeliveryAttempt(Math.max(1, deliveryAttempt))
            .withWorker(worker)
            // online: each chunk reads in a snapshot the capture can tell apart in the stream
            .withOnline(spec.migrate().online());
    Long rate = spec.migrate().maxRowsPerSecond();
    if (rate != null) {
      options =
          options.withProgressEvery(ThrottledProgress.progressEvery(rate, options.progressEvery()));
    }
    return options;
  }

  /** One table's keys and indexes, as soon as its chunks are in. */
  public void buildTableIndexes(
      MigrationSpec spec, MappingDocument mapping, String migrationId, String sourceTable) {
    LoadFinisher finisher = new LoadFinisher(Dialects.target(spec));
    onTarget(
        spec,
        "building the indexes of table " + sourceTable,
        tgt -> {
          finisher.finishTable(tgt, mapping, migrationId, sourceTable);
          return null;
        });
  }

  /** Keys, foreign keys and sequences left; the run report. */
  public StageOutput finishLoad(
      MigrationSpec spec, MappingDocument mapping, String migrationId, long stageStartedAtMillis) {
    // the chunks are done: their connections are not kept open on the databases
    pool.closeIdle();
    LoadFinisher bulk = new LoadFinisher(Dialects.target(spec));
    // online: foreign keys stay NOT VALID until the stream has passed the end of the copy
    LoadFinisher finisher = spec.migrate().online() ? bulk.online() : bulk;
    String what = "finishing the load of migration " + migrationId;
    // the source is read after the copy: free-standing sequences take its current values
    return onBoth(
        spec,
        what,
        (src, t) ->
            finisher.finish(
                src, Dialects.source(spec), t, mapping, migrationId, stageStartedAtMillis));
  }

  /**
   * {@code run.json} of a migration whose copy failed: the ledger as it stood, the failing table
   * and the reason (the failure may be the target itself; the caller then records it without the
   * ledger, {@link LoadFinisher#failedWithoutLedger}).
   */
  public StageOutput failedLoad(
      MigrationSpec spec,
      MappingDocument mapping,
      String migrationId,
      long stageStartedAtMillis,
      String sourceTable,
      String reason) {
    pool.closeIdle();
    LoadFinisher finisher = new LoadFinisher(Dialects.target(spec));
    String what = "recording the failed load of migration " + migrationId;
    return onTarget(
        spec,
        what,
        t -> finisher.failed(t, mapping, migrationId, stageStartedAtMillis, sourceTable, reason));
  }

  /** The dry run: every row read, transformed and checked; nothing kept. */
  public StageOutput dryRun(
      MigrationSpec spec, MappingDocument mapping, String migrationId, ChunkProgress heartbeat) {
    DryRunner.Report report =
        Connections.onBoth(
            spec,
            secrets,
            "the dry run of migration " + migrationId,
            (src, tgt) ->
                new DryRunner(Dialects.source(spec), Dialects.target(spec))
                    .run(
                        src,
                        tgt,
                        mapping,
                        migrationId,
                        spec.migrate().chunkRows(),
                        spec.migrate().rejectLimit(),
                        heartbeat));
    return DryRunner.output(report);
  }

  /** The integration tester: the ledger and the target after a load. */
  public StageOutput checkIntegration(
      MigrationSpec spec, MappingDocument mapping, String migrationId) {
    IntegrationChecker checker = new IntegrationChecker(Dialects.target(spec));
    long rejectLimit = spec.migrate().rejectLimit();
    String what = "the integration check of migration " + migrationId;
    return Connections.onTargetReadOnly(
        spec,
        secrets,
        what,
        tgt -> checker.check(tgt, mapping, migrationId, rejectLimit, spec.migrate().online()));
  }

  /** The integration tester on a dry run: the report's verdict and a target left untouched. */
  public StageOutput checkDryRun(MigrationSpec spec, byte[] reportJson, String migrationId) {
    DryRunner dry = new DryRunner(Dialects.source(spec), Dialects.target(spec));
    String what = "the dry-run check of migration " + migrationId;
    return Connections.onTargetReadOnly(
        spec, secrets, what, tgt -> dry.check(tgt, reportJson, migrationId));
  }

  private <T> T onTarget(MigrationSpec spec, String what, Connections.TargetWork<T> work) {
    return Connections.onTarget(spec, secrets, what, work);
  }

  private <T> T onBoth(MigrationSpec spec, String what, Connections.PairWork<T> work) {
    return Connections.onBoth(spec, secrets, what, work);
  }
}
