package io.migrationstudio.core.cdc.apply;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.activity.CaptureStarted;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.StreamProgress;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.cdc.ChangeCapture;
import io.migrationstudio.core.cdc.ChangeSource;
import io.migrationstudio.core.cdc.LogRetention;
import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.MarkdownTable;
import io.migrationstudio.core.report.StageOutput;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The change stream of one online migration, built once per worker: creates the capture before the
 * copy ({@link #prepare}), applies the source's log in bounded slices ({@link #applySlice}: read
 * from the position the target holds, apply whole transactions through {@link ChangeApplier},
 * confirm to the source only what the target committed), and drops the capture at the end ({@link
 * #drop}). Every slice starts from the target's stored position, so any worker can run the next one
 * and a killed slice loses or repeats nothing. A slice heartbeats once its reader is open and after
 * every batch, and ends early when it catches up after having been behind, so the workflow learns
 * of the catch-up at once rather than at the slice's end. Before every batch it reads the capture's
 * {@link StreamHold}: a validation comparing both sides at one source position stops it there for a
 * moment.
 *
 * <p>Lag: in time, the age of the last transaction applied when the slice ended while the reader
 * still had transactions to give, and 0 when a poll came back empty or with nothing new for the
 * target (a heartbeat: everything the source committed was applied); in bytes, the distance from
 * the stored position to the source's end of log where positions allow it (PostgreSQL LSNs, one
 * binlog file), else -1.
 */
public final class StreamService {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(StreamService.class);

  /**
   * Row changes per poll (and so at most about per target transaction). The slice heartbeats after
   * each batch, so a batch must stay well inside the activity's heartbeat timeout (30 s) on a busy
   * machine: a change costs a target round trip when consecutive changes differ in table or kind,
   * and 5,000 of them took longer than that under load, Temporal gave the slice up, and its retry
   * raced the attempt it replaced.
   */
  static final int MAX_CHANGES_PER_BATCH = 1_000;

  /** The longest single wait for the source's next transaction inside a slice. */
  static final Duration POLL_WAIT = Duration.ofMillis(500);

  /** How often a slice held by a validation ({@link StreamHold}) looks whether it may go on. */
  static final Duration HOLD_POLL = Duration.ofMillis(50);

  /** How long a drain retries opening the stream while the slot is still held. */
  static final Duration OPEN_RETRY = Duration.ofSeconds(15);

  private final Secrets secrets;

  public StreamService(Secrets secrets) {
    this.secrets = Objects.requireNonNull(secrets);
  }

  /**
   * The capture's name for a migration: {@code studio_} and the id in lower case with every other
   * character as {@code _}, cut to 63 characters with a hash of the whole id (slot and publication
   * names on PostgreSQL).
   */
  public static String captureName(String migrationId) {
    String name = "studio_" + migrationId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (name.length() <= 63) {
      return name;
    }
    return name.substring(0, 63 - 9) + "_" + hash(migrationId).substring(0, 8);
  }

  /** Creates the capture for the mapping's tables; returns its name and start position. */
  public CaptureStarted prepare(MigrationSpec spec, MappingDocument mapping, String migrationId) {
    ChangeCapture capture = capture(spec);
    String name = captureName(migrationId);
    return onSource(
        spec,
        "creating the change capture " + name,
        src -> new CaptureStarted(name, capture.prepare(src, name, tables(mapping)).text()));
  }

  /**
   * Applies the stream for about {@code slice}, reporting progress to {@code heartbeat} after each
   * batch; returns where it stands.
   */
  public StreamProgress applySlice(
      MigrationSpec spec,
      MappingDocument mapping,
      String migrationId,
      String captureName,
      String startPosition,
      Duration slice,
      Consumer<StreamProgress> heartbeat) {
    ChangeCapture capture = capture(spec);
    Duration maxLag = Duration.parse(spec.migrate().maxLag());
    long started = System.nanoTime();
    long deadline = started + slice.toNanos();
    return onStream(
        spec,
        mapping,
        migrationId,
        captureName,
        "applying",
        (tgt, src, applier) -> {
          var stored = applier.stored(tgt);
          StreamPosition from = from(stored, startPosition);
          long transactions = stored.map(StreamPositions.Stored::transactions).orElse(0L);
          long changes = stored.map(StreamPositions.Stored::changes).orElse(0L);
          Map<String, Long> perTable = new TreeMap<>();
          long sliceChanges = 0;
          StreamPosition position = from;
          Instant lastCommit = stored.map(StreamPositions.Stored::lastCommitTime).orElse(null);
          boolean drained = false;
          StreamProgress progress = null;
          boolean wasBehind = false;
          long batches = 0;
          long longestBatchNanos = 0;
          try (ChangeSource reader =
              capture.open(spec.source(), secrets, captureName, tables(mapping), from)) {
            // the reader is open: a slow open shows as progress, not as a missed heartbeat
            heartbeat.accept(
                new SliceCounters(position, false, lastCommit, transactions, changes, 0)
                    .progress(
                        captureName,
                        headOf(capture, src, captureName, position, limits(spec, lastCommit)),
                        started,
                        perTable,
                        maxLag));
            StreamHold holds =
                new StreamHold(Dialects.target(spec), TargetSchema.DEFAULT_STUDIO_SCHEMA);
            holds.create(tgt);
            // read from the source but held back by a validation's hold, in order
            List<SourceTransaction> kept = new java.util.ArrayList<>();
            while (System.nanoTime() < deadline) {
              StreamHold.Hold hold = holds.read(tgt, captureName).orElse(null);
              List<SourceTransaction> batch;
              if (!kept.isEmpty()) {
                batch = new java.util.ArrayList<>(kept);
                kept.clear();
              } else if (hold != null && hold.until() == null) {
                batch = List.of(); // paused while the validator opens its snapshot
              } else {
                batch = reader.poll(POLL_WAIT, MAX_CHANGES_PER_BATCH);
              }
              if (hold != null) {
                batch = StreamHold.split(batch, hold, kept);
              }
              if (batch.isEmpty()) {
                drained = hold == null ? true : drained;
              } else {
                long batchStarted = System.nanoTime();
                batches++;
                ChangeApplier.ApplyResult r = applier.apply(tgt, batch);
                // nothing new for the target (a heartbeat at the applied position, or transactions
                // resent after a reconnect): the reader has given all it had, as with an empty poll
                drained = r.appliedTransactions() == 0;
                if (r.position() != null) {
                  position = r.position();
                  reader.confirm(position); // the target holds everything up to it
                }
                transactions += r.appliedTransactions();
                changes += r.changes();
                sliceChanges += r.changes();
                r.tables()
                    .forEach(
                        (t, c) ->
                            perTable.merge(
                                t,
                                c.inserts() + c.updates() + c.deletes() + c.truncates(),
                                Long::sum));
                if (r.lastCommitTime() != null) {
                  lastCommit = r.lastCommitTime();
                }
                longestBatchNanos = Math.max(longestBatchNanos, System.nanoTime() - batchStarted);
              }
              if (hold != null && held(hold, kept, position)) {
                if (hold.reached() == null) {
                  holds.reach(tgt, captureName, hold, position);
                }
                Thread.sleep(HOLD_POLL.toMillis()); // until the validator releases the hold
              }
              progress =
                  new SliceCounters(
                          position, drained, lastCommit, transactions, changes, sliceChanges)
                      .progress(
                          captureName,
                          headOf(capture, src, captureName, position, limits(spec, lastCommit)),
                          started,
                          perTable,
                          maxLag);
              heartbeat.accept(progress);
              wasBehind |= !progress.caughtUp();
              if (wasBehind && drained) {
                break; // caught up after being behind: report it now, not at the slice's end
              }
            }
          }
          if (progress != null && progress.retentionWarning() != null) {
            log.warn("change stream {}: {}", captureName, progress.retentionWarning());
          }
          log.info(
              "change stream {}: slice of {} ms applied {} changes in {} batches (longest {} ms), at {}",
              captureName,
              (System.nanoTime() - started) / 1_000_000,
              sliceChanges,
              batches,
              longestBatchNanos / 1_000_000,
              position == null ? "start" : position.text());
          return progress != null
              ? progress
              : new SliceCounters(
                      position, drained, lastCommit, transactions, changes, sliceChanges)
                  .progress(
                      captureName,
                      headOf(capture, src, captureName, position, limits(spec, lastCommit)),
                      started,
                      perTable,
                      maxLag);
        });
  }

  /** How many polls a measure reads at most to find the oldest change not applied yet. */
  static final int MEASURE_POLLS = 4;

  /**
   * Where a paused stream stands, applying nothing: the position the target holds (with its
   * counters), the source's end of log and the log it keeps for the stream, and the lag in time,
   * the age of the oldest source transaction with row changes not applied yet (0 when the first
   * {@link #MEASURE_POLLS} polls bring none). Reads the stream from the stored position and
   * confirms nothing, so the next slice reads the same transactions again.
   */
  public StreamProgress measure(
      MigrationSpec spec,
      MappingDocument mapping,
      String migrationId,
      String captureName,
      String startPosition) {
    ChangeCapture capture = capture(spec);
    Duration maxLag = Duration.parse(spec.migrate().maxLag());
    return onStream(
        spec,
        mapping,
        migrationId,
        captureName,
        "measuring",
        (tgt, src, applier) -> {
          var stored = applier.stored(tgt);
          StreamPosition from = from(stored, startPosition);
          Instant oldest = null;
          try (ChangeSource reader = openSoon(capture, spec, captureName, mapping, from)) {
            for (int i = 0; i < MEASURE_POLLS && oldest == null; i++) {
              for (SourceTransaction t : reader.poll(POLL_WAIT, MAX_CHANGES_PER_BATCH)) {
                if (!t.changes().isEmpty() && (from == null || t.commit().compareTo(from) > 0)) {
                  oldest = t.commitTime();
                  break;
                }
              }
            }
          }
          long now = System.currentTimeMillis();
          long lagMillis = oldest == null ? 0 : Math.max(0, now - oldest.toEpochMilli());
          Measured head =
              headOf(
                  capture,
                  src,
                  captureName,
                  from,
                  limits(spec, stored.map(StreamPositions.Stored::lastCommitTime).orElse(null)));
          warnIfAtRisk(captureName, head);
          return new StreamProgress(
              captureName,
              from == null ? null : from.text(),
              head.end() == null ? null : head.end().text(),
              lagBytes(from, head.end()),
              lagMillis,
              stored.map(StreamPositions.Stored::transactions).orElse(0L),
              stored.map(StreamPositions.Stored::changes).orElse(0L),
              0,
              Map.of(),
              lagMillis <= maxLag.toMillis(),
              now,
              null,
              head.retainedBytes(),
              head.retentionWarning());
        });
  }

  /**
   * Whether the stream stands where {@code hold} wants it: paused (no position yet), or every
   * transaction up to the hold's position applied (one past it is kept back, or the target is at
   * it).
   */
  private static boolean held(
      StreamHold.Hold hold, List<SourceTransaction> kept, StreamPosition position) {
    return hold.until() == null
        || !kept.isEmpty()
        || (position != null && position.compareTo(hold.until()) >= 0);
  }

  /**
   * What one {@link #drain} did: where the target stands, how many transactions and row changes it
   * applied, how long it took, and the transactions with row changes committed after {@code
   * frozenAt} (not applied: a write that got past the freeze).
   */
  public record Drain(
      StreamPosition position,
      long transactions,
      long changes,
      long millis,
      List<String> afterFreeze) {
    public Drain {
      afterFreeze = List.copyOf(afterFreeze);
    }
  }

  /**
   * The source's end marker for a drain ({@link ChangeCapture#endMarker}), read on a session of its
   * own.
   */
  public StreamPosition endMarker(MigrationSpec spec, String label) {
    ChangeCapture capture = capture(spec);
    return onSource(spec, "writing the end marker " + label, src -> capture.endMarker(src, label));
  }

  /**
   * Applies the stream from the position the target holds until it has seen a transaction at or
   * past {@code until}, in this call (the caller made sure no other applier runs: the stream
   * workflow is stopped). Transactions committed at or below {@code frozenAt} (null: all) are
   * applied; one after it that carries row changes of the tables in scope is not applied and is
   * reported in {@link Drain#afterFreeze()} (the drain goes on to {@code until}); empty ones
   * (heartbeats, markers) move the position on. Gives up after {@code timeout} with {@code
   * CUTOVER_FAILED}.
   */
  public Drain drain(
      MigrationSpec spec,
      MappingDocument mapping,
      String migrationId,
      String captureName,
      StreamPosition until,
      StreamPosition frozenAt,
      Duration timeout) {
    ChangeCapture capture = capture(spec);
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    return onStream(
        spec,
        mapping,
        migrationId,
        captureName,
        "draining",
        (tgt, src, applier) -> {
          StreamPosition from =
              applier.stored(tgt).map(StreamPositions.Stored::position).orElse(null);
          if (from == null) {
            throw new MigrationException(
                ErrorCode.INVALID_ARTIFACT,
                "the change stream "
                    + captureName
                    + " has applied nothing to the target yet (no stream_position): the cutover"
                    + " cannot drain it; let the Migrate stage's stream catch up first");
          }
          StreamPosition position = from;
          StreamPosition seen = from;
          long transactions = 0;
          long changes = 0;
          List<String> afterFreeze = new java.util.ArrayList<>();
          try (ChangeSource log = openSoon(capture, spec, captureName, mapping, from)) {
            while (seen.compareTo(until) < 0) {
              if (System.nanoTime() > deadline) {
                throw new MigrationException(
                    ErrorCode.CUTOVER_FAILED,
                    "the change stream "
                        + captureName
                        + " did not reach "
                        + until.text()
                        + " within "
                        + timeout
                        + " (it stands at "
                        + seen.text()
                        + "); the source's log is behind or the stream is stuck");
              }
              List<SourceTransaction> batch = log.poll(POLL_WAIT, MAX_CHANGES_PER_BATCH);
              List<SourceTransaction> apply = new java.util.ArrayList<>();
              for (SourceTransaction t : batch) {
                if (t.commit().compareTo(seen) > 0) {
                  seen = t.commit();
                }
                boolean late = frozenAt != null && t.commit().compareTo(frozenAt) > 0;
                if (late && !t.changes().isEmpty()) {
                  afterFreeze.add(describe(t));
                } else {
                  apply.add(t);
                }
              }
              if (!apply.isEmpty()) {
                ChangeApplier.ApplyResult r = applier.apply(tgt, apply);
                if (r.position() != null) {
                  position = r.position();
                  log.confirm(position);
                }
                transactions += r.appliedTransactions();
                changes += r.changes();
              }
            }
          }
          return new Drain(
              position,
              transactions,
              changes,
              Duration.ofNanos(System.nanoTime() - started).toMillis(),
              afterFreeze);
        });
  }

  /** What a stream operation does with the target, the source and the stream's applier. */
  private interface StreamWork<T> {
    T run(Connection target, Connection source, ChangeApplier applier) throws Exception;
  }

  /**
   * Runs {@code work} with a target connection, a read-only source connection and the applier of
   * the stream {@code captureName}; a SQL failure is classified by the target's dialect as {@code
   * doing} the stream, anything else (an interrupt, a reader's I/O) is transient.
   */
  private <T> T onStream(
      MigrationSpec spec,
      MappingDocument mapping,
      String migrationId,
      String captureName,
      String doing,
      StreamWork<T> work) {
    Dialect td = Dialects.target(spec);
    try (Connection tgt = Dialects.open(spec.target(), secrets, "target");
        Connection src = Dialects.openReadOnly(spec.source(), secrets, "source")) {
      ChangeApplier applier =
          new ChangeApplier(
              Dialects.source(spec),
              td,
              mapping,
              migrationId,
              captureName,
              TargetSchema.DEFAULT_STUDIO_SCHEMA,
              src);
      return work.run(tgt, src, applier);
    } catch (MigrationException e) {
      throw e;
    } catch (SQLException e) {
      throw td.classify(e, doing + " the change stream " + captureName);
    } catch (Exception e) {
      throw new MigrationException(
          ErrorCode.TRANSIENT_SQL,
          doing + " the change stream " + captureName + " was interrupted: " + e.getMessage(),
          e);
    }
  }

  /** The position the target stores for the stream, else {@code startPosition}. */
  private static StreamPosition from(
      java.util.Optional<StreamPositions.Stored> stored, String startPosition) {
    return stored.map(StreamPositions.Stored::position).orElse(null) != null
        ? stored.get().position()
        : StreamPosition.parse(startPosition);
  }

  /**
   * Opens the reader, retrying a transient refusal for up to {@link #OPEN_RETRY}: the stream
   * workflow's last slice has just closed its connection, and the server may not have released the
   * slot yet (PostgreSQL SQLState 55006).
   */
  private ChangeSource openSoon(
      ChangeCapture capture,
      MigrationSpec spec,
      String captureName,
      MappingDocument mapping,
      StreamPosition from)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + OPEN_RETRY.toNanos();
    while (true) {
      try {
        return capture.open(spec.source(), secrets, captureName, tables(mapping), from);
      } catch (MigrationException e) {
        if (!e.code().retryable() || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  /** "xid at position: table (kind), ..." of a transaction, for a refusal. */
  private static String describe(SourceTransaction t) {
    Map<String, Long> perTable = new TreeMap<>();
    t.changes().forEach(c -> perTable.merge(c.table() + " " + c.kind(), 1L, Long::sum));
    return "transaction "
        + t.xid()
        + " at "
        + t.commit().text()
        + " ("
        + perTable.entrySet().stream()
            .map(e -> e.getValue() + "× " + e.getKey())
            .collect(java.util.stream.Collectors.joining(", "))
        + ")";
  }

  /** Drops the capture; nothing when it is gone. */
  public void drop(MigrationSpec spec, String captureName) {
    ChangeCapture capture = capture(spec);
    onSource(
        spec,
        "dropping the change capture " + captureName,
        src -> {
          capture.drop(src, captureName);
          return null;
        });
  }

  /**
   * {@code 03-migrate/cdc.json} and {@code cdc.md}: where the stream stands; PASS when it caught up
   * below {@code migrate.max_lag} and did not stop, FAIL otherwise.
   */
  public static StageOutput evidence(MigrationSpec spec, StreamProgress p) {
    boolean pass = p.caughtUp() && p.stopped() == null;
    Verdict verdict = pass ? Verdict.PASS : Verdict.FAIL;
    Map<String, Object> json = new java.util.LinkedHashMap<>();
    json.put("verdict", verdict);
    json.put("max_lag", spec.migrate().maxLag());
    json.put("stream", p);
    StringBuilder md = new StringBuilder("# Change stream\n\n");
    md.append("Verdict: **").append(verdict).append("** (max lag ").append(spec.migrate().maxLag());
    md.append(")\n\n");
    MarkdownTable.header(
        md,
        List.of(
            "capture",
            "applied position",
            "source end",
            "lag",
            "log kept by the source",
            "transactions",
            "changes"));
    MarkdownTable.row(
        md,
        List.of(
            MarkdownTable.code(p.capture()),
            MarkdownTable.cell(String.valueOf(p.position())),
            MarkdownTable.cell(String.valueOf(p.head())),
            String.format(Locale.ROOT, "%.1f s", p.lagMillis() / 1000.0)
                + (p.lagBytes() >= 0 ? " / " + p.lagBytes() + " bytes" : ""),
            p.retainedBytes() == null ? "not measured" : p.retainedBytes() + " bytes",
            Long.toString(p.transactions()),
            Long.toString(p.changes())));
    if (!p.tableChanges().isEmpty()) {
      md.append("\n## Row changes applied per table\n\n");
      MarkdownTable.header(md, List.of("table", "changes"));
      p.tableChanges()
          .forEach(
              (t, n) -> MarkdownTable.row(md, List.of(MarkdownTable.cell(t), Long.toString(n))));
    }
    if (p.retentionWarning() != null) {
      md.append("\n**Warning, log kept by the source:** ").append(p.retentionWarning());
      md.append("\n");
    }
    if (p.stopped() != null) {
      md.append("\n**The stream stopped:** ").append(p.stopped()).append("\n");
    }
    String summary =
        (pass
                ? "stream caught up: "
                : "stream not caught up below " + spec.migrate().maxLag() + ": ")
            + p.line();
    return new StageOutput(
        Map.of(
            ArtifactPaths.CDC_JSON, Json.bytes(Json.write(json)),
            ArtifactPaths.CDC_MD, Json.bytes(md.toString())),
        verdict,
        summary);
  }

  /**
   * What a slice has applied when it reports: the position the target holds, whether the reader had
   * nothing more, the last applied commit's time, the stream's transactions and row changes so far
   * and the slice's own row changes.
   */
  private record SliceCounters(
      StreamPosition position,
      boolean drained,
      Instant lastCommit,
      long transactions,
      long changes,
      long sliceChanges) {

    /**
     * The progress of the slice of {@code capture} started at {@code startedNanos}, against the
     * source's {@code head}, with the slice's row changes by table.
     */
    StreamProgress progress(
        String capture,
        Measured head,
        long startedNanos,
        Map<String, Long> perTable,
        Duration maxLag) {
      long now = System.currentTimeMillis();
      long lagMillis =
          drained || lastCommit == null ? 0 : Math.max(0, now - lastCommit.toEpochMilli());
      double seconds = Math.max(1e-3, (System.nanoTime() - startedNanos) / 1e9);
      return new StreamProgress(
          capture,
          position == null ? null : position.text(),
          head.end() == null ? null : head.end().text(),
          lagBytes(position, head.end()),
          lagMillis,
          transactions,
          changes,
          sliceChanges / seconds,
          perTable,
          lagMillis <= maxLag.toMillis(),
          now,
          null,
          head.retainedBytes(),
          head.retentionWarning());
    }
  }

  static long lagBytes(StreamPosition position, StreamPosition head) {
    if (position instanceof StreamPosition.PgLsn p && head instanceof StreamPosition.PgLsn h) {
      return Math.max(0, h.value() - p.value());
    }
    if (position instanceof StreamPosition.BinlogPosition p
        && head instanceof StreamPosition.BinlogPosition h
        && p.file().equals(h.file())) {
      return Math.max(0, h.offset() - p.offset());
    }
    return -1;
  }

  /**
   * The source's end of log and the log it keeps for the stream, as far as measured, with the
   * warning when that log puts the source or the stream at risk.
   */
  private record Measured(StreamPosition end, Long retainedBytes, String retentionWarning) {}

  private static LogRetention.Limits limits(MigrationSpec spec, Instant appliedCommitTime) {
    return new LogRetention.Limits(spec.migrate().maxRetainedWalBytes(), appliedCommitTime);
  }

  private static Measured headOf(
      ChangeCapture capture,
      Connection src,
      String name,
      StreamPosition applied,
      LogRetention.Limits limits) {
    StreamPosition end;
    try {
      end = capture.head(src);
    } catch (SQLException e) {
      return new Measured(null, null, null); // lag in bytes unknown this time; the stream goes on
    }
    try {
      LogRetention kept = capture.retention(src, name, applied, limits).orElse(null);
      return kept == null
          ? new Measured(end, null, null)
          : new Measured(end, kept.bytes(), kept.warning());
    } catch (SQLException e) {
      return new Measured(end, null, null);
    }
  }

  /** The worker log's warning when the log the source keeps puts it or the stream at risk. */
  private static void warnIfAtRisk(String captureName, Measured head) {
    if (head.retentionWarning() != null) {
      log.warn("change stream {}: {}", captureName, head.retentionWarning());
    }
  }

  private static List<String> tables(MappingDocument mapping) {
    return mapping.tables().stream().map(TableMapping::source).toList();
  }

  private static ChangeCapture capture(MigrationSpec spec) {
    return Dialects.source(spec)
        .changeCapture()
        .orElseThrow(
            () ->
                new MigrationException(
                    ErrorCode.INVALID_SPEC,
                    "migrate.strategy online needs change capture, which the source engine "
                        + Dialects.source(spec).name()
                        + " does not offer; use migrate.strategy: bulk"));
  }

  private interface SourceWork<T> {
    T run(Connection source) throws SQLException;
  }

  private <T> T onSource(MigrationSpec spec, String what, SourceWork<T> work) {
    Dialect sd = Dialects.source(spec);
    try (Connection src = Dialects.open(spec.source(), secrets, "source")) {
      return work.run(src);
    } catch (SQLException e) {
      throw sd.classify(e, what);
    }
  }

  private static String hash(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
