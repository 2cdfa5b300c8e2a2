package io.migrationstudio.core.copy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.KeyConstraint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The integration tester of Migrate: every planned chunk committed, the target's row count equal to
 * the ledger's sum per table, every constraint the mapping asks for present and validated ({@code
 * pg_constraint.convalidated}), rejects within the spec's limit. Writes {@code integration.json},
 * which also names the source objects a same-engine migration did not create ({@code not_carried},
 * see {@link CarriedSchema}; they do not fail the check, run.md gives the remedy). An online
 * migration's change stream applies the source's writes from the end of the load on, so its target
 * counts are recorded but not held to the ledger's ({@code streamed}): Validation compares them
 * with the source; its foreign keys are NOT VALID until the stream has passed the end of the copy
 * ({@code ForeignKeyValidation}, run by Validation), so they only have to be present here.
 */
public final class IntegrationChecker {
  private final Dialect target;
  private final String studioSchema;

  public IntegrationChecker(Dialect target) {
    this(target, TargetSchema.DEFAULT_STUDIO_SCHEMA);
  }

  public IntegrationChecker(Dialect target, String studioSchema) {
    this.target = Objects.requireNonNull(target);
    this.studioSchema = Objects.requireNonNull(studioSchema);
  }

  /** {@code integration.json}. */
  @JsonPropertyOrder({"migration", "status", "rejects", "reject_limit", "tables", "not_carried"})
  public record Report(
      String migration,
      Verdict status,
      long rejects,
      @JsonProperty("reject_limit") long rejectLimit,
      List<TableCheck> tables,
      @JsonProperty("not_carried")
          @com.fasterxml.jackson.annotation.JsonInclude(
              com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
          List<String> notCarried) {
    public Report {
      tables = List.copyOf(tables);
      notCarried = notCarried == null ? List.of() : List.copyOf(notCarried);
    }
  }

  /** One table's checks; {@code problems} lists what failed, empty when it passed. */
  @JsonPropertyOrder({
    "table",
    "target_table",
    "chunks",
    "committed",
    "ledger_rows",
    "target_rows",
    "constraints",
    "problems",
    "status"
  })
  public record TableCheck(
      String table,
      @JsonProperty("target_table") String targetTable,
      int chunks,
      int committed,
      @JsonProperty("ledger_rows") long ledgerRows,
      @JsonProperty("target_rows") long targetRows,
      List<String> constraints,
      List<String> problems,
      Verdict status) {
    public TableCheck {
      constraints = List.copyOf(constraints);
      problems = List.copyOf(problems);
    }
  }

  public StageOutput check(
      Connection c, MappingDocument mapping, String migrationId, long rejectLimit) {
    return check(c, mapping, migrationId, rejectLimit, false);
  }

  /** {@code streamed}: a change stream writes to the target too (row counts not compared). */
  public StageOutput check(
      Connection c,
      MappingDocument mapping,
      String migrationId,
      long rejectLimit,
      boolean streamed) {
    Ledger ledger = new Ledger(target, studioSchema);
    try {
      List<Ledger.ChunkRow> chunks = ledger.chunks(c, migrationId);
      long rejects = ledger.rejectCounts(c, migrationId).values().stream().mapToLong(l -> l).sum();
      List<TableCheck> checks = new ArrayList<>();
      for (TableMapping t : mapping.tables()) {
        checks.add(checkTable(c, mapping, t, chunks, streamed));
      }
      boolean ok =
          rejects <= rejectLimit && checks.stream().allMatch(t -> t.status() == Verdict.PASS);
      List<String> notCarried = CarriedSchema.notCarried(c, studioSchema, target, migrationId);
      Report report =
          new Report(
              migrationId,
              ok ? Verdict.PASS : Verdict.FAIL,
              rejects,
              rejectLimit,
              checks,
              notCarried);
      long failed = checks.stream().filter(t -> t.status() == Verdict.FAIL).count();
      return new StageOutput(
          Map.of(ArtifactPaths.INTEGRATION_JSON, Json.bytes(Json.write(report))),
          report.status(),
          report.status()
              + ": "
              + (checks.size() - failed)
              + "/"
              + checks.size()
              + " tables consistent, "
              + rejects
              + " rejected rows (limit "
              + rejectLimit
              + ")"
              + (notCarried.isEmpty()
                  ? ""
                  : ", " + notCarried.size() + " source objects not created (see run.md)"));
    } catch (SQLException e) {
      throw target.classify(e, "checking the load of migration " + migrationId);
    }
  }

  private TableCheck checkTable(
      Connection c,
      MappingDocument mapping,
      TableMapping t,
      List<Ledger.ChunkRow> all,
      boolean streamed)
      throws SQLException {
    List<Ledger.ChunkRow> mine = all.stream().filter(r -> r.table().equals(t.source())).toList();
    int committed = (int) mine.stream().filter(Ledger.ChunkRow::committed).count();
    long ledgerRows = mine.stream().mapToLong(Ledger.ChunkRow::rows).sum();
    String qualified = target.qualify(TableSql.targetSchema(mapping, target), t.target());
    List<String> problems = new ArrayList<>();
    long targetRows = -1;
    String rows = t.inheritanceParent() ? target.only(qualified) : qualified;
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + rows);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      targetRows = rs.getLong(1);
    }
    if (mine.isEmpty()) {
      problems.add("no chunk planned in the ledger: prepareTarget did not run for this table");
    } else if (committed < mine.size()) {
      List<Integer> open =
          mine.stream().filter(r -> !r.committed()).map(Ledger.ChunkRow::chunk).toList();
      problems.add("chunks not committed: " + open + "; re-run copyChunk for them");
    }
    if (targetRows != ledgerRows && !streamed) {
      problems.add(
          "target has " + targetRows + " rows, the ledger recorded " + ledgerRows + " copied");
    }
    TreeSet<String> expected = new TreeSet<>();
    t.uniqueKeys().stream().map(KeyConstraint::name).forEach(expected::add);
    t.foreignKeys().stream().map(ForeignKey::name).forEach(expected::add);
    // a CHECK carried from a PostgreSQL source as NOT VALID is faithful, not a missed step
    java.util.Set<String> mapped = new java.util.HashSet<>(expected);
    if (streamed) {
      // online: validated once the stream has passed the end of the copy
      t.foreignKeys().stream().map(ForeignKey::name).forEach(mapped::remove);
    }
    List<String> present = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT conname, convalidated FROM pg_constraint WHERE conrelid = to_regclass(?)"
                + " ORDER BY conname")) {
      ps.setString(1, qualified);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          present.add(name);
          if (!rs.getBoolean(2) && mapped.contains(name)) {
            problems.add("constraint " + name + " is not validated; run VALIDATE CONSTRAINT");
          }
        }
      }
    }
    expected.removeAll(present);
    for (String missing : expected) {
      problems.add("constraint " + missing + " is missing; re-run finishLoad");
    }
    return new TableCheck(
        t.source(),
        t.target(),
        mine.size(),
        committed,
        ledgerRows,
        targetRows,
        present,
        problems,
        problems.isEmpty() ? Verdict.PASS : Verdict.FAIL);
  }
}
