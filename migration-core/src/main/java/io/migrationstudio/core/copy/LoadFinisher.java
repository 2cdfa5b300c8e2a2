package io.migrationstudio.core.copy;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.SequenceMapping;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.MarkdownTable;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.SchemaScript;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Ends a load: per table, unique keys and secondary indexes, then every table's foreign keys (NOT
 * VALID, then validated; an online load leaves them NOT VALID, {@link #online}), then identities
 * and sequences past the copied keys and the source's counters ({@link SourceCounters}) and
 * free-standing sequences at their source's current value; finally renders {@code run.{json,md}}
 * from the ledger. Each table's build time is recorded in the table ledger the first time only, so
 * a re-run (whose DDL is a no-op) renders identical files.
 */
public final class LoadFinisher {
  private final Dialect target;
  private final String studioSchema;
  private final Clock clock;
  private final boolean validateForeignKeys;

  public LoadFinisher(Dialect target) {
    this(target, TargetSchema.DEFAULT_STUDIO_SCHEMA, Clock.systemUTC());
  }

  public LoadFinisher(Dialect target, String studioSchema, Clock clock) {
    this(target, studioSchema, clock, true);
  }

  private LoadFinisher(
      Dialect target, String studioSchema, Clock clock, boolean validateForeignKeys) {
    this.target = Objects.requireNonNull(target);
    this.studioSchema = Objects.requireNonNull(studioSchema);
    this.clock = Objects.requireNonNull(clock);
    this.validateForeignKeys = validateForeignKeys;
  }

  /**
   * This finisher for an online load: foreign keys are added NOT VALID and left so (they enforce
   * and cascade for every later write). Each chunk of an online copy read its own snapshot, so a
   * child chunk read after a parent's change may reference a key the parent's earlier chunk does
   * not have, until the stream applies the change; {@code ForeignKeyValidation} validates them once
   * the stream has passed the end of the copy.
   */
  public LoadFinisher online() {
    return new LoadFinisher(target, studioSchema, clock, false);
  }

  /**
   * Runs the post-load DDL and sequences, sets every free-standing sequence to its source
   * sequence's current value (read from {@code source} now, after the copy), and renders the run
   * report.
   */
  public StageOutput finish(
      Connection source,
      Dialect sourceDialect,
      Connection c,
      MappingDocument mapping,
      String migrationId,
      long stageStartedAtMillis) {
    List<String> statements = freeSequenceStatements(source, sourceDialect, mapping);
    return finish(
        c,
        mapping,
        migrationId,
        stageStartedAtMillis,
        counters(source, sourceDialect, mapping),
        statements,
        CarriedSchema.read(sourceDialect, target, source, mapping));
  }

  /** The source's key counters now ({@link SourceCounters}). */
  private static SourceCounters counters(
      Connection source, Dialect sourceDialect, MappingDocument mapping) {
    try {
      return SourceCounters.read(source, sourceDialect, mapping);
    } catch (SQLException e) {
      throw sourceDialect.classify(e, "reading the key counters of the source tables");
    }
  }

  /**
   * The cutover's sequence step (the same statements as the end of a load): identities and mapped
   * sequences past the largest key now on the target and the source's counter ({@link
   * SourceCounters}, read now: the source's writes have stopped), free-standing sequences at their
   * source sequence's current value; runs them in one target transaction and returns them.
   */
  public List<String> setSequences(
      Connection source, Dialect sourceDialect, Connection c, MappingDocument mapping)
      throws SQLException {
    TargetSchema schema = new TargetSchema(target, mapping, studioSchema);
    List<String> statements =
        concat(
            schema.sequenceStatements(counters(source, sourceDialect, mapping)),
            freeSequenceStatements(source, sourceDialect, mapping));
    TargetSchema.runInTransaction(c, statements);
    return statements;
  }

  /** {@code setval} of every free-standing sequence to its source sequence's current value. */
  private List<String> freeSequenceStatements(
      Connection source, Dialect sourceDialect, MappingDocument mapping) {
    TargetSchema schema = new TargetSchema(target, mapping, studioSchema);
    List<String> statements = new ArrayList<>();
    String sourceSchema =
        mapping.sourceSchema() == null || mapping.sourceSchema().isBlank()
            ? sourceDialect.defaultSchema()
            : mapping.sourceSchema();
    for (SequenceMapping seq : schema.freeSequences()) {
      try {
        Dialect.SequenceState state =
            sourceDialect
                .sequenceState(source, sourceSchema, seq.source())
                .orElseThrow(
                    () ->
                        new MigrationException(
                            ErrorCode.INVALID_ARTIFACT,
                            "mapping.yaml lists sequence "
                                + seq.source()
                                + " but the "
                                + sourceDialect.name()
                                + " source has no sequences; remove it from the mapping"));
        statements.add(schema.freeSequenceStatement(seq, state));
      } catch (SQLException e) {
        throw sourceDialect.classify(
            e, "reading the current value of source sequence " + seq.source());
      }
    }
    return statements;
  }

  /**
   * Runs the post-load DDL and sequences, and renders the run report, for a mapping without
   * free-standing sequences (their values come from the source: use the other {@code finish}).
   * Without the source, identities and sequences are set past the largest copied key only.
   */
  public StageOutput finish(
      Connection c, MappingDocument mapping, String migrationId, long stageStartedAtMillis) {
    if (!new TargetSchema(target, mapping, studioSchema).freeSequences().isEmpty()) {
      throw new IllegalStateException(
          "the mapping has free-standing sequences: finish the load with the source connection");
    }
    return finish(
        c,
        mapping,
        migrationId,
        stageStartedAtMillis,
        SourceCounters.NONE,
        List.of(),
        SchemaScript.EMPTY);
  }

  private StageOutput finish(
      Connection c,
      MappingDocument mapping,
      String migrationId,
      long stageStartedAtMillis,
      SourceCounters counters,
      List<String> freeSequences,
      SchemaScript carried) {
    Ledger ledger = new Ledger(target, studioSchema);
    try {
      TargetSchema schema =
          new TargetSchema(target, mapping, studioSchema, partitionedOnTarget(c, mapping, carried));
      Map<String, Instant> started = new java.util.HashMap<>();
      Map<String, Long> elapsed = new java.util.HashMap<>();
      for (TableMapping t : mapping.tables()) {
        Instant s = clock.instant();
        TargetSchema.runInTransaction(c, schema.primaryKey(t));
        TargetSchema.runInTransaction(c, schema.keysAndIndexes(t));
        started.put(t.source(), s);
        elapsed.put(t.source(), clock.millis() - s.toEpochMilli());
      }
      for (TableMapping t : mapping.tables()) {
        long s = clock.millis();
        TargetSchema.runInTransaction(c, schema.foreignKeys(t, validateForeignKeys));
        Instant first = started.get(t.source());
        long ms = elapsed.get(t.source()) + (clock.millis() - s);
        ledger.recordIndexBuild(c, migrationId, t.source(), first, first.plusMillis(ms));
      }
      TargetSchema.runInTransaction(c, concat(schema.sequenceStatements(counters), freeSequences));
      if (!carried.isEmpty()) {
        CarriedSchema.record(
            c, studioSchema, target, migrationId, "post-data", schema.applyPostData(c));
      } else if (schema.hasPostData()) {
        schema.applyPostData(c); // across engines: the mapping's on-update triggers only
      }
      RunReport report = report(c, mapping, migrationId, stageStartedAtMillis, schema, ledger);
      return new StageOutput(
          Map.of(
              ArtifactPaths.RUN_JSON, Json.bytes(Json.write(report)),
              ArtifactPaths.RUN_MD, Json.bytes(markdown(report))),
          null,
          report.totals().rows()
              + " rows in "
              + report.totals().committed()
              + "/"
              + report.totals().chunks()
              + " chunks, "
              + report.totals().rejects()
              + " rejected");
    } catch (SQLException e) {
      throw target.classify(e, "finishing the load of migration " + migrationId);
    }
  }

  /**
   * The run report of a copy that failed: the ledger as it stands (nothing is built), status {@code
   * failed}, the failing table and the reason.
   */
  public StageOutput failed(
      Connection c,
      MappingDocument mapping,
      String migrationId,
      long stageStartedAtMillis,
      String table,
      String reason) {
    TargetSchema schema = new TargetSchema(target, mapping, studioSchema);
    Ledger ledger = new Ledger(target, studioSchema);
    try {
      return failedOutput(
          report(c, mapping, migrationId, stageStartedAtMillis, schema, ledger)
              .failed(table, reason));
    } catch (SQLException e) {
      throw target.classify(e, "reading the chunk ledger of failed migration " + migrationId);
    }
  }

  /** The run report of a failed copy when the ledger cannot be read: the failure alone. */
  public static StageOutput failedWithoutLedger(
      String migrationId, long stageStartedAtMillis, String table, String reason) {
    RunReport empty =
        new RunReport(
            migrationId,
            Instant.ofEpochMilli(stageStartedAtMillis).toString(),
            "failed",
            null,
            null,
            new RunReport.Totals(0, 0, 0, 0, 0),
            List.of(),
            List.of(),
            null,
            null);
    return failedOutput(empty.failed(table, reason));
  }

  private static StageOutput failedOutput(RunReport report) {
    RunReport.Failure f = report.failure();
    return new StageOutput(
        Map.of(
            ArtifactPaths.RUN_JSON, Json.bytes(Json.write(report)),
            ArtifactPaths.RUN_MD, Json.bytes(markdown(report))),
        io.migrationstudio.contracts.workflow.Verdict.FAIL,
        "copy failed"
            + (f.table() == null ? "" : " in table " + f.table())
            + ": "
            + f.reason()
            + " ("
            + report.totals().rows()
            + " rows in "
            + report.totals().committed()
            + "/"
            + report.totals().chunks()
            + " chunks committed, "
            + report.totals().rejects()
            + " rejected)");
  }

  /**
   * Builds one table's primary key, unique keys and secondary indexes as soon as its chunks are in,
   * while other tables still copy (foreign keys wait for {@link #finish}: they need both sides).
   * Records the build time in the table ledger (the first build only). Idempotent: {@link #finish}
   * runs the same DDL again as no-ops.
   */
  public void finishTable(Connection c, MappingDocument mapping, String migrationId, String table) {
    Ledger ledger = new Ledger(target, studioSchema);
    TableMapping t =
        mapping
            .bySource(table)
            .orElseThrow(
                () ->
                    new io.migrationstudio.contracts.MigrationException(
                        io.migrationstudio.contracts.ErrorCode.INVALID_ARTIFACT,
                        "table " + table + " is not in mapping.yaml; re-run the Migrate stage"));
    try {
      TargetSchema schema =
          new TargetSchema(
              target, mapping, studioSchema, partitionedOnTarget(c, mapping, SchemaScript.EMPTY));
      Instant s = clock.instant();
      List<String> memory = indexBuildSettings(c);
      TargetSchema.runInTransaction(c, concat(memory, schema.primaryKey(t)));
      TargetSchema.runInTransaction(c, concat(memory, schema.keysAndIndexes(t)));
      ledger.recordIndexBuild(c, migrationId, t.source(), s, clock.instant());
    } catch (SQLException e) {
      throw target.classify(e, "building the keys and indexes of " + t.target());
    }
  }

  /**
   * {@code carried} with every table whose target table is partitioned marked so (a target prepared
   * by a run that carried the source's partitioning, or made by hand), so its primary key and
   * foreign keys are added as a partitioned table takes them.
   */
  private SchemaScript partitionedOnTarget(
      Connection c, MappingDocument mapping, SchemaScript carried) throws SQLException {
    if (!target.speaksPostgres()) {
      return carried;
    }
    SchemaScript out = carried;
    try (java.sql.PreparedStatement ps =
        c.prepareStatement("SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass(?)")) {
      for (TableMapping t : mapping.tables()) {
        ps.setString(1, new TableSql(target, target, mapping, t).targetTable());
        try (java.sql.ResultSet rs = ps.executeQuery()) {
          if (rs.next() && rs.getBoolean(1)) {
            out = out.withPartitioned(t.source());
          }
        }
      }
    }
    return out;
  }

  /** Sort memory for one table's index builds (pgcopydb gives its index jobs the same). */
  static final long INDEX_BUILD_MEMORY_BYTES = 1L << 30;

  /**
   * {@code SET LOCAL maintenance_work_mem = '1GB'} for the index-building transactions when the
   * session has less: with the server default (64 MB) a large table's key is sorted on disk and
   * gets fewer parallel workers. A session given more keeps it; only the transaction sees it.
   */
  List<String> indexBuildSettings(Connection c) throws SQLException {
    if (!target.speaksPostgres()) {
      return List.of();
    }
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs =
            st.executeQuery("SELECT pg_size_bytes(current_setting('maintenance_work_mem'))")) {
      rs.next();
      return rs.getLong(1) >= INDEX_BUILD_MEMORY_BYTES
          ? List.of()
          : List.of("SET LOCAL maintenance_work_mem = '1GB'");
    }
  }

  private static List<String> concat(List<String> first, List<String> then) {
    List<String> all = new ArrayList<>(first);
    all.addAll(then);
    return all;
  }

  /** The run report of a migration, from the ledger alone. */
  public RunReport report(
      Connection c,
      MappingDocument mapping,
      String migrationId,
      long stageStartedAtMillis,
      TargetSchema schema,
      Ledger ledger)
      throws SQLException {
    List<Ledger.ChunkRow> chunks = ledger.chunks(c, migrationId);
    Map<String, Ledger.TableRow> tables = new java.util.HashMap<>();
    ledger.tables(c, migrationId).forEach(t -> tables.put(t.table(), t));
    Map<String, Long> bytes = ledger.bytesByTable(c, migrationId);
    Instant lastIndex =
        tables.values().stream()
            .map(Ledger.TableRow::indexFinishedAt)
            .filter(Objects::nonNull)
            .max(Instant::compareTo)
            .orElse(null);
    List<RunReport.TableRun> runs = new ArrayList<>();
    long rows = 0;
    long rejects = 0;
    int total = 0;
    int committed = 0;
    int attempts = 0;
    for (TableMapping t : mapping.tables()) {
      List<Ledger.ChunkRow> mine =
          chunks.stream().filter(r -> r.table().equals(t.source())).toList();
      long r = mine.stream().mapToLong(Ledger.ChunkRow::rows).sum();
      long rej = mine.stream().mapToLong(Ledger.ChunkRow::rejects).sum();
      int done = (int) mine.stream().filter(Ledger.ChunkRow::committed).count();
      int att = mine.stream().mapToInt(Ledger.ChunkRow::attempt).sum();
      Instant first =
          mine.stream()
              .map(Ledger.ChunkRow::startedAt)
              .filter(Objects::nonNull)
              .min(Instant::compareTo)
              .orElse(null);
      Instant last =
          mine.stream()
              .map(Ledger.ChunkRow::finishedAt)
              .filter(Objects::nonNull)
              .max(Instant::compareTo)
              .orElse(null);
      Ledger.TableRow tr = tables.get(t.source());
      runs.add(
          new RunReport.TableRun(
              t.source(),
              t.target(),
              tr != null && tr.keyless(),
              r,
              rej,
              mine.size(),
              done,
              att,
              first == null ? null : first.toString(),
              last == null ? null : last.toString(),
              first == null || last == null ? null : last.toEpochMilli() - first.toEpochMilli(),
              tr == null ? null : tr.indexBuildMs(),
              bytes.get(t.source()),
              (int)
                  mine.stream()
                      .filter(
                          x ->
                              x.sourceHash() != null
                                  && x.sourceHash().startsWith(BinaryCopyPipe.HASH_PREFIX))
                      .count()));
      rows += r;
      rejects += rej;
      total += mine.size();
      committed += done;
      attempts += att;
    }
    Instant firstStart =
        chunks.stream()
            .map(Ledger.ChunkRow::startedAt)
            .filter(Objects::nonNull)
            .min(Instant::compareTo)
            .orElse(null);
    Instant lastFinish =
        chunks.stream()
            .map(Ledger.ChunkRow::finishedAt)
            .filter(Objects::nonNull)
            .max(Instant::compareTo)
            .orElse(null);
    Instant finished =
        lastFinish == null || (lastIndex != null && lastIndex.isAfter(lastFinish))
            ? lastIndex
            : lastFinish;
    return new RunReport(
        migrationId,
        Instant.ofEpochMilli(stageStartedAtMillis).toString(),
        committed == total && total > 0 ? "complete" : "incomplete",
        null,
        firstStart == null || lastFinish == null
            ? null
            : lastFinish.toEpochMilli() - firstStart.toEpochMilli(),
        new RunReport.Totals(rows, rejects, total, committed, attempts),
        runs,
        schema.skippedIndexes(),
        finished == null ? null : finished.toString(),
        finished == null ? null : finished.toEpochMilli() - stageStartedAtMillis,
        CarriedSchema.notCarried(c, studioSchema, target, migrationId));
  }

  static String markdown(RunReport r) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Migrate run: ").append(r.migration()).append("\n\n");
    sb.append("Stage started at ").append(r.stageStartedAt()).append(". Status: **");
    sb.append(r.status()).append("**.");
    if (r.failure() != null) {
      sb.append("\n\nThe copy failed");
      if (r.failure().table() != null) {
        sb.append(" in table **").append(md(r.failure().table())).append("**");
      }
      sb.append(": ").append(r.failure().reason()).append("\n\n");
      sb.append("Nothing was built. Fix the cause, then run the migration again: chunks");
      sb.append(" committed in the ledger are not copied twice.");
    }
    if (r.durationMs() != null) {
      sb.append(" Copy wall time: ").append(r.durationMs()).append(" ms.");
    }
    if (r.stageDurationMs() != null) {
      sb.append(" Copy and index builds ended at ").append(r.finishedAt());
      sb.append(", ").append(r.stageDurationMs()).append(" ms after the stage started.");
    }
    sb.append("\n\n");
    sb.append("| table | target | rows | rejects | chunks | committed | attempts | copy ms |");
    sb.append(" index build ms | binary chunks | keyless |\n");
    sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (RunReport.TableRun t : r.tables()) {
      sb.append("| ").append(md(t.table())).append(" | ").append(md(t.targetTable()));
      sb.append(" | ").append(t.rows()).append(" | ").append(t.rejects());
      sb.append(" | ").append(t.chunks()).append(" | ").append(t.committed());
      sb.append(" | ").append(t.attempts()).append(" | ").append(opt(t.copyDurationMs()));
      sb.append(" | ").append(opt(t.indexBuildMs())).append(" | ").append(t.binaryChunks());
      sb.append(" | ");
      sb.append(t.keyless() ? "yes (one chunk)" : "no").append(" |\n");
    }
    RunReport.Totals x = r.totals();
    sb.append("\nTotal: ").append(x.rows()).append(" rows, ").append(x.rejects());
    sb.append(" rejected, ").append(x.committed()).append("/").append(x.chunks());
    sb.append(" chunks committed in ").append(x.attempts()).append(" attempts.\n");
    if (!r.skippedIndexes().isEmpty()) {
      sb.append("\nExpression indexes to recreate by hand: ");
      sb.append(String.join(", ", r.skippedIndexes().stream().map(LoadFinisher::md).toList()));
      sb.append(".\n");
    }
    if (!r.notCarried().isEmpty()) {
      sb.append("\nSource objects not created on the target (create them by hand from");
      sb.append(" 03-migrate/target-schema.sql once the cause is fixed):\n\n");
      r.notCarried().forEach(n -> sb.append("- ").append(n).append('\n'));
    }
    return sb.toString();
  }

  private static String opt(Long v) {
    return v == null ? "-" : v.toString();
  }

  /** Escapes a name for a Markdown table cell. */
  static String md(String s) {
    return MarkdownTable.cell(s);
  }
}
