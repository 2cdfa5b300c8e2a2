package io.migrationstudio.core.copy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.MarkdownTable;
import io.migrationstudio.core.report.StageOutput;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code migrate.dry_run: true}: reads, transforms and writes every row exactly as Migrate would,
 * and writes nothing that stays.
 *
 * <p>Why transactions that are rolled back, and not temporary tables or client-side checks: only
 * the real target can say whether a row fits its types and constraints (lengths, CHECKs, NOT NULL,
 * input syntax, domains, collations), and PostgreSQL's DDL is transactional. So each table gets one
 * target transaction that creates the studio ledger and that one table exactly as {@link
 * TargetSchema} would ({@link TargetSchema#preLoadStatements(TableMapping)}), copies every chunk
 * through the real {@link ChunkCopier} (COPY, row-isolating retry, quarantine, ledger row) with
 * {@link CopyOptions#leaveOpen()} so the copier does not commit, reads the would-be rejects back
 * from the quarantine table, and is then rolled back. Temporary tables would not carry the target
 * schema's constraints or sequences; a client-side check could not see them. The measured
 * throughput therefore includes the target's COPY work, as the real copy's would. A table that
 * fails (more rejects than {@link #REJECT_CAP}, a connection lost) is reported with its error code
 * and the dry run goes on with the next table. When the target already holds the tables (a re-check
 * after a migration), the chunks' deletes and writes happen inside the same rolled-back
 * transaction, so existing rows are untouched too. Locks: the transaction holds the table it
 * created (invisible to others) and row locks of existing tables only while it runs.
 */
public final class DryRunner {
  /** Rejected rows a table may have in a dry run before it stops counting (bounds memory). */
  public static final long REJECT_CAP = 10_000;

  /** Would-be rejects listed per table in the report (all are counted). */
  static final int REJECT_SAMPLES = 20;

  private final Dialect source;
  private final Dialect target;
  private final String studioSchema;

  public DryRunner(Dialect source, Dialect target) {
    this(source, target, TargetSchema.DEFAULT_STUDIO_SCHEMA);
  }

  public DryRunner(Dialect source, Dialect target, String studioSchema) {
    this.source = Objects.requireNonNull(source);
    this.target = Objects.requireNonNull(target);
    this.studioSchema = Objects.requireNonNull(studioSchema);
  }

  /** dry-run-report.json. */
  @JsonPropertyOrder({
    "migration",
    "status",
    "reject_limit",
    "rows",
    "would_write",
    "rejects",
    "duration_ms",
    "rows_per_second",
    "tables"
  })
  public record Report(
      String migration,
      Verdict status,
      @JsonProperty("reject_limit") long rejectLimit,
      long rows,
      @JsonProperty("would_write") long wouldWrite,
      long rejects,
      @JsonProperty("duration_ms") long durationMs,
      @JsonProperty("rows_per_second") long rowsPerSecond,
      List<TableDry> tables) {
    public Report {
      tables = List.copyOf(tables);
    }
  }

  /** One table of the dry run. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({
    "table",
    "target_table",
    "chunks",
    "rows",
    "would_write",
    "rejects",
    "duration_ms",
    "rows_per_second",
    "error_code",
    "error",
    "reject_samples"
  })
  public record TableDry(
      String table,
      @JsonProperty("target_table") String targetTable,
      int chunks,
      long rows,
      @JsonProperty("would_write") long wouldWrite,
      long rejects,
      @JsonProperty("duration_ms") long durationMs,
      @JsonProperty("rows_per_second") long rowsPerSecond,
      @JsonProperty("error_code") String errorCode,
      String error,
      @JsonProperty("reject_samples") List<RejectSample> rejectSamples) {
    public TableDry {
      rejectSamples = List.copyOf(rejectSamples);
    }
  }

  /** A would-be reject: its chunk, key, SQLState (null for a transform failure) and reason. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RejectSample(int chunk, String key, String sqlstate, String reason) {}

  /**
   * Dry-runs every table of {@code mapping}; {@code progress} hears the rows read so far over all
   * tables (the activity heartbeats from it). Leaves the target as it found it.
   */
  public Report run(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String migrationId,
      int chunkRows,
      long rejectLimit,
      ChunkProgress progress) {
    // the source's types, routines and partitions too (same engine), as Migrate creates them
    TargetSchema schema =
        new TargetSchema(
            target, mapping, studioSchema, CarriedSchema.read(source, target, src, mapping));
    Ledger ledger = new Ledger(target, studioSchema);
    ChunkCopier copier =
        new ChunkCopier(
            source,
            target,
            studioSchema,
            java.time.Clock.systemUTC(),
            CopyOptions.defaults()
                .withRejectLimit(Math.max(rejectLimit, REJECT_CAP))
                .withForce(true)
                .withLeaveOpen(true));
    List<TableDry> tables = new ArrayList<>();
    long[] before = {0};
    for (TableMapping t : mapping.tables()) {
      tables.add(
          dryRunTable(
              src,
              tgt,
              mapping,
              schema,
              ledger,
              copier,
              t,
              migrationId,
              chunkRows,
              rows -> progress.rowsCopied(before[0] + rows)));
      before[0] += tables.get(tables.size() - 1).rows();
    }
    long rows = tables.stream().mapToLong(TableDry::rows).sum();
    long write = tables.stream().mapToLong(TableDry::wouldWrite).sum();
    long rejects = tables.stream().mapToLong(TableDry::rejects).sum();
    long ms = tables.stream().mapToLong(TableDry::durationMs).sum();
    boolean ok = rejects <= rejectLimit && tables.stream().allMatch(x -> x.errorCode() == null);
    return new Report(
        migrationId,
        ok ? Verdict.PASS : Verdict.FAIL,
        rejectLimit,
        rows,
        write,
        rejects,
        ms,
        perSecond(rows, ms),
        tables);
  }

  private TableDry dryRunTable(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      TargetSchema schema,
      Ledger ledger,
      ChunkCopier copier,
      TableMapping t,
      String migrationId,
      int chunkRows,
      ChunkProgress progress) {
    long started = System.nanoTime();
    long rows = 0;
    long written = 0;
    int chunks = 0;
    long rejects = 0;
    List<RejectSample> samples = new ArrayList<>();
    String code = null;
    String error = null;
    boolean auto = true;
    try {
      TableSql sql = new TableSql(source, target, mapping, t.written());
      List<ChunkRange> ranges;
      try {
        ranges = ChunkPlanner.plan(src, source, sql, chunkRows).chunks();
      } catch (SQLException e) {
        throw source.classify(e, "planning chunks of source table " + t.source());
      }
      chunks = ranges.size();
      auto = tgt.getAutoCommit();
      tgt.setAutoCommit(false);
      try (Statement st = tgt.createStatement()) {
        for (String ddl : schema.preLoadStatements(t)) {
          if (!ddl.startsWith("--")) {
            st.execute(ddl);
          }
        }
      }
      for (ChunkRange r : ranges) {
        long base = rows;
        ChunkResult res =
            copier.copy(src, tgt, mapping, t, r, migrationId, n -> progress.rowsCopied(base + n));
        written += res.rows();
        rows = base + chunkRead(tgt, ledger, migrationId, t.source(), r.index(), res.rows());
      }
      rejects = rejectCount(tgt, ledger, migrationId, t.source());
      samples = samples(tgt, ledger, migrationId, t.source());
    } catch (MigrationException e) {
      code = e.code().name();
      error = e.getMessage();
    } catch (SQLException e) {
      MigrationException m = target.classify(e, "dry-running table " + t.source());
      code = m.code().name();
      error = m.getMessage();
    } finally {
      rollback(tgt, auto);
    }
    long ms = (System.nanoTime() - started) / 1_000_000;
    return new TableDry(
        t.source(),
        t.target(),
        chunks,
        rows,
        written,
        rejects,
        ms,
        perSecond(rows, ms),
        code,
        error,
        samples);
  }

  /** Rows read by a chunk: written plus quarantined (the ledger row of the open transaction). */
  private static long chunkRead(
      Connection tgt, Ledger ledger, String migration, String table, int chunk, long written)
      throws SQLException {
    try (PreparedStatement ps =
        tgt.prepareStatement(
            "SELECT rejects FROM "
                + ledger.chunkTable()
                + " WHERE migration = ? AND table_name = ? AND chunk = ?")) {
      ps.setString(1, migration);
      ps.setString(2, table);
      ps.setInt(3, chunk);
      try (ResultSet rs = ps.executeQuery()) {
        return written + (rs.next() ? rs.getLong(1) : 0);
      }
    }
  }

  private static long rejectCount(Connection tgt, Ledger ledger, String migration, String table)
      throws SQLException {
    try (PreparedStatement ps =
        tgt.prepareStatement(
            "SELECT count(*) FROM "
                + ledger.rejectTable()
                + " WHERE migration = ? AND table_name = ?")) {
      ps.setString(1, migration);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static List<RejectSample> samples(
      Connection tgt, Ledger ledger, String migration, String table) throws SQLException {
    List<RejectSample> out = new ArrayList<>();
    try (PreparedStatement ps =
        tgt.prepareStatement(
            "SELECT chunk, row_key, sqlstate, reason FROM "
                + ledger.rejectTable()
                + " WHERE migration = ? AND table_name = ? ORDER BY chunk, row_number LIMIT "
                + REJECT_SAMPLES)) {
      ps.setString(1, migration);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new RejectSample(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4)));
        }
      }
    }
    return out;
  }

  /** Ends the table's transaction without a trace; on a broken connection the server did. */
  private static void rollback(Connection tgt, boolean auto) {
    try {
      if (!tgt.isClosed()) {
        if (!tgt.getAutoCommit()) {
          tgt.rollback();
        }
        tgt.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      // the connection is broken: the server rolled the transaction back with it
    }
  }

  private static long perSecond(long rows, long ms) {
    return ms <= 0 ? rows * 1000 : rows * 1000 / ms;
  }

  /** dry-run-check.json: the checker's look at the report and at the target afterwards. */
  @JsonPropertyOrder({"migration", "status", "report_status", "ledger_rows", "rejects"})
  public record Check(
      String migration,
      Verdict status,
      @JsonProperty("report_status") Verdict reportStatus,
      @JsonProperty("ledger_rows") long ledgerRows,
      long rejects) {}

  /**
   * The integration tester's check of a dry run: the report's verdict stands, and the target holds
   * no ledger row of this migration (nothing was left behind).
   */
  public StageOutput check(Connection tgt, byte[] reportJson, String migrationId) {
    Report report = Json.read(reportJson, Report.class, ArtifactPaths.DRY_RUN_REPORT_JSON);
    long ledgerRows = 0;
    try (PreparedStatement ps =
        tgt.prepareStatement("SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = ?")) {
      ps.setString(1, studioSchema);
      boolean schemaExists;
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        schemaExists = rs.getLong(1) > 0;
      }
      if (schemaExists) {
        try (PreparedStatement c =
            tgt.prepareStatement(
                "SELECT count(*) FROM "
                    + new Ledger(target, studioSchema).chunkTable()
                    + " WHERE migration = ?")) {
          c.setString(1, migrationId);
          try (ResultSet rs = c.executeQuery()) {
            rs.next();
            ledgerRows = rs.getLong(1);
          }
        }
      }
    } catch (SQLException e) {
      throw target.classify(e, "checking that the dry run of " + migrationId + " left nothing");
    }
    boolean ok = report.status() == Verdict.PASS && ledgerRows == 0;
    Check check =
        new Check(
            migrationId,
            ok ? Verdict.PASS : Verdict.FAIL,
            report.status(),
            ledgerRows,
            report.rejects());
    String summary =
        "dry run check "
            + check.status()
            + ": report "
            + report.status()
            + " ("
            + report.rejects()
            + " would-be rejects, limit "
            + report.rejectLimit()
            + "), "
            + ledgerRows
            + " ledger rows of this migration on the target (expected 0)";
    return new StageOutput(
        Map.of(ArtifactPaths.DRY_RUN_CHECK_JSON, Json.bytes(Json.write(check))),
        check.status(),
        summary);
  }

  /** dry-run-report.{json,md} as the Migrate stage's evidence. */
  public static StageOutput output(Report report) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(ArtifactPaths.DRY_RUN_REPORT_JSON, Json.bytes(Json.write(report)));
    files.put(ArtifactPaths.DRY_RUN_REPORT_MD, Json.bytes(markdown(report)));
    String summary =
        "dry run: "
            + report.rows()
            + " rows read, "
            + report.wouldWrite()
            + " would be written, "
            + report.rejects()
            + " would be rejected (limit "
            + report.rejectLimit()
            + "), "
            + report.rowsPerSecond()
            + " rows/s; nothing was written to the target";
    return new StageOutput(files, report.status(), summary);
  }

  static String markdown(Report r) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Migrate dry run: ").append(r.migration()).append("\n\n");
    sb.append("Verdict: **").append(r.status()).append("**. Every row was read, transformed and ");
    sb.append("written to the target inside a transaction that was rolled back: the target is ");
    sb.append("unchanged.\n\n");
    sb.append("| table | target | chunks | rows | would write | rejects | ms | rows/s | error |\n");
    sb.append("|---|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (TableDry t : r.tables()) {
      sb.append("| ")
          .append(cell(t.table()))
          .append(" | ")
          .append(cell(t.targetTable()))
          .append(" | ")
          .append(t.chunks())
          .append(" | ")
          .append(t.rows())
          .append(" | ")
          .append(t.wouldWrite())
          .append(" | ")
          .append(t.rejects())
          .append(" | ")
          .append(t.durationMs())
          .append(" | ")
          .append(t.rowsPerSecond())
          .append(" | ")
          .append(t.errorCode() == null ? "" : cell(t.errorCode() + ": " + t.error()))
          .append(" |\n");
    }
    sb.append("\nTotal: ")
        .append(r.rows())
        .append(" rows read, ")
        .append(r.wouldWrite())
        .append(" would be written, ")
        .append(r.rejects())
        .append(" would be rejected (reject_limit ")
        .append(r.rejectLimit())
        .append("), ")
        .append(r.durationMs())
        .append(" ms, ")
        .append(r.rowsPerSecond())
        .append(" rows/s.\n");
    boolean any = r.tables().stream().anyMatch(t -> !t.rejectSamples().isEmpty());
    if (any) {
      sb.append("\n## Would-be rejects (first ").append(REJECT_SAMPLES).append(" per table)\n\n");
      sb.append("| table | chunk | key | SQLState | reason |\n|---|---:|---|---|---|\n");
      for (TableDry t : r.tables()) {
        for (RejectSample s : t.rejectSamples()) {
          sb.append("| ")
              .append(cell(t.table()))
              .append(" | ")
              .append(s.chunk())
              .append(" | ")
              .append(cell(s.key()))
              .append(" | ")
              .append(s.sqlstate() == null ? "" : s.sqlstate())
              .append(" | ")
              .append(cell(s.reason()))
              .append(" |\n");
        }
      }
    }
    return sb.toString();
  }

  private static String cell(String s) {
    return MarkdownTable.cell(s);
  }
}
