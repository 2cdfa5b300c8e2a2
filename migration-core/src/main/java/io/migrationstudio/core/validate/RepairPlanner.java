package io.migrationstudio.core.validate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.RepairPlan.RepairChunk;
import io.migrationstudio.core.canonical.RowCodec;
import io.migrationstudio.core.canonical.RowHasher;
import io.migrationstudio.core.copy.Ledger;
import io.migrationstudio.core.copy.SourceRows;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Plans the repair of a failed validation: which chunks of the chunk ledger to re-copy.
 *
 * <p>For every table the report shows FAIL with row differences (rows missing, extra or changed,
 * counts or samples differing), each of its ledger chunks is hashed on both sides (the canonical
 * hash of the source rows as the mapping transforms them, and of the target rows, as the copier and
 * validator hash them); the chunks whose hash or row count differ are the repair. Re-copying a
 * chunk redoes exactly its key range in one target transaction (the ledger protocol), so the plan
 * is exact for differences inside chunks.
 *
 * <p>The plan is <em>not repairable</em> when a difference is not one of rows: an integrity
 * violation of the target (duplicate key, NULL in a NOT NULL column, a constraint not validated, a
 * missing index), a table with row differences but no ledger (a target the studio did not load), or
 * no differing chunk at all. Tables that fail only on foreign-key orphans or aggregates are listed
 * as expected to clear once the differing rows are re-copied; the re-validation decides.
 *
 * <p>The plan needs no key from the report (the committed report shows keys masked): it reads the
 * failing tables and their counts, and finds the differing rows' chunks by hashing. The committed
 * {@code repair-plan.{json,md}} show each chunk's bounds (values of the chunk key) through the
 * evidence mask; the chunks handed to the workflow keep them plain (they never reach git).
 */
public final class RepairPlanner {
  public static final String PLAN_JSON = "04-validation/repair-plan.json";
  public static final String PLAN_MD = "04-validation/repair-plan.md";

  private final Dialect source;
  private final Dialect target;
  private final String studioSchema;

  public RepairPlanner(Dialect source, Dialect target, String studioSchema) {
    this.source = Objects.requireNonNull(source);
    this.target = Objects.requireNonNull(target);
    this.studioSchema = Objects.requireNonNull(studioSchema);
  }

  /** The plan's files and what the workflow needs: the chunks, and whether to propose them. */
  public record Result(StageOutput output, List<RepairChunk> chunks, boolean repairable) {}

  /** {@code repair-plan.json}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({
    "migration",
    "validation_commit",
    "repairable",
    "summary",
    "chunks",
    "not_repairable",
    "expected_to_clear"
  })
  public record PlanReport(
      String migration,
      @JsonProperty("validation_commit") String validationCommit,
      boolean repairable,
      String summary,
      List<PlannedChunk> chunks,
      @JsonProperty("not_repairable") List<String> notRepairable,
      @JsonProperty("expected_to_clear") List<String> expectedToClear) {}

  /** One chunk to re-copy, with the row counts that differ (or not: then the hashes differ). */
  @JsonPropertyOrder({"table", "target_table", "chunk", "lo", "hi", "source_rows", "target_rows"})
  public record PlannedChunk(
      String table,
      @JsonProperty("target_table") String targetTable,
      int chunk,
      String lo,
      String hi,
      @JsonProperty("source_rows") long sourceRows,
      @JsonProperty("target_rows") long targetRows) {}

  /**
   * Plans from {@code validation.json} (read as a tree, so report fields added later do not matter)
   * and the databases as they are.
   */
  public Result plan(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String migrationId,
      byte[] validationJson,
      String validationCommit) {
    return plan(
        src, tgt, mapping, migrationId, validationJson, validationCommit, EvidenceMask.masked());
  }

  /** As above; the chunk bounds the committed plan shows go through {@code mask}. */
  public Result plan(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String migrationId,
      byte[] validationJson,
      String validationCommit,
      EvidenceMask mask) {
    JsonNode report = Json.read(validationJson, JsonNode.class, ArtifactPaths.VALIDATION_JSON);
    List<PlannedChunk> planned = new ArrayList<>();
    List<RepairChunk> chunks = new ArrayList<>();
    List<String> notRepairable = new ArrayList<>();
    List<String> expectedToClear = new ArrayList<>();
    Ledger ledger = new Ledger(target, studioSchema);
    for (JsonNode t : report.path("tables")) {
      if (!"FAIL".equals(t.path("status").asText())) {
        continue;
      }
      String name = t.path("table").asText();
      for (JsonNode i : t.path("integrity")) {
        if (i.path("count").asLong() > 0) {
          notRepairable.add(
              name
                  + ": "
                  + i.path("kind").asText()
                  + " "
                  + i.path("object").asText()
                  + " ("
                  + i.path("count").asLong()
                  + ") is not a difference of rows; fix the target's schema");
        }
      }
      boolean rowsDiffer =
          t.path("missing").asLong() > 0
              || t.path("extra").asLong() > 0
              || t.path("changed").asLong() > 0
              || t.path("sample_mismatches").asLong() > 0
              || t.path("source_rows").asLong() != t.path("target_rows").asLong();
      if (!rowsDiffer) {
        expectedToClear.add(name + ": orphans or aggregates only");
        continue;
      }
      Optional<TableMapping> table = mapping.bySource(name);
      if (table.isEmpty()) {
        notRepairable.add(name + ": not in mapping.yaml; validate with the approved mapping");
        continue;
      }
      TableSql sql = new TableSql(source, target, mapping, table.get());
      try {
        List<ChunkRange> ranges =
            ledger.exists(tgt)
                ? ledger.plannedRanges(tgt, migrationId, name).orElse(List.of())
                : List.of();
        if (ranges.isEmpty()) {
          notRepairable.add(
              name
                  + ": no chunk ledger for it on the target (not loaded by this migration);"
                  + " only chunks the studio copied can be re-copied");
          continue;
        }
        int before = planned.size();
        String keyColumn = sql.chunkKey().map(c -> c.source()).orElse("\u0000");
        for (ChunkRange r : ranges) {
          RowHasher.ChunkDigest s = digest(src, source, sql, r, true);
          RowHasher.ChunkDigest d = digest(tgt, target, sql, r, false);
          if (s.rows() != d.rows() || !s.hex().equals(d.hex())) {
            planned.add(
                new PlannedChunk(
                    name,
                    table.get().target(),
                    r.index(),
                    mask.text(name, keyColumn, r.lo()),
                    mask.text(name, keyColumn, r.hi()),
                    s.rows(),
                    d.rows()));
            chunks.add(new RepairChunk(name, r));
          }
        }
        if (planned.size() == before) {
          notRepairable.add(
              name
                  + ": the report shows row differences but every chunk hashes equal now; the"
                  + " data changed since the validation: validate again");
        }
      } catch (SQLException e) {
        throw target.classify(e, "planning the repair of table " + name);
      }
    }
    boolean repairable = notRepairable.isEmpty() && !chunks.isEmpty();
    long tables = planned.stream().map(PlannedChunk::table).distinct().count();
    String summary =
        repairable
            ? "re-copy " + chunks.size() + " chunks of " + tables + " tables, then validate again"
            : "no repair: "
                + (notRepairable.isEmpty()
                    ? "no differing chunk found"
                    : notRepairable.size() + " differences are not confined to chunks of rows");
    PlanReport plan =
        new PlanReport(
            migrationId,
            validationCommit,
            repairable,
            summary,
            planned,
            notRepairable,
            expectedToClear);
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(PLAN_JSON, Json.bytes(Json.write(plan)));
    files.put(PLAN_MD, Json.bytes(markdown(plan)));
    return new Result(new StageOutput(files, null, summary), chunks, repairable);
  }

  /**
   * The order-independent digest of a range on one side, as the validator compares it: the source
   * read through the mapping's projections, the target through the target codecs.
   */
  private static RowHasher.ChunkDigest digest(
      Connection c, Dialect d, TableSql sql, ChunkRange r, boolean sourceSide) throws SQLException {
    SourceRows reader = SourceRows.of(sql);
    RowCodec codec = reader.codec();
    RowHasher hasher = new RowHasher();
    RowHasher.ChunkDigest digest = new RowHasher.ChunkDigest();
    boolean auto = c.getAutoCommit();
    try (PreparedStatement ps =
        d.streamingQuery(c, sourceSide ? sql.sourceSelect(r) : sql.targetSelect(r), 2000)) {
      if (sourceSide) {
        sql.bindSourceRange(ps, r);
      } else {
        TableSql.bindRange(ps, r);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Object[] values = sourceSide ? reader.read(rs) : codec.read(rs);
          digest.add(hasher.hashRow(codec.columns(), values));
        }
      }
    } finally {
      if (!c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(auto);
      }
    }
    return digest;
  }

  static String markdown(PlanReport p) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Repair plan: ").append(p.migration()).append("\n\n");
    sb.append("From the validation report at ").append(p.validationCommit()).append(". ");
    sb.append(p.repairable() ? "**Repairable**: " : "**Not repairable**: ");
    sb.append(p.summary()).append(".\n\n");
    if (p.repairable()) {
      sb.append("Approving re-copies exactly these chunks (each one target transaction that");
      sb.append(" deletes its key range and writes the source rows again, recorded in the chunk");
      sb.append(" ledger), then runs Validation again. Nothing else on the target changes.\n\n");
    }
    if (!p.chunks().isEmpty()) {
      sb.append("| table | target table | chunk | from (incl.) | to (excl.) | source rows |");
      sb.append(" target rows |\n|---|---|---:|---|---|---:|---:|\n");
      for (PlannedChunk c : p.chunks()) {
        sb.append("| ").append(c.table()).append(" | ").append(c.targetTable());
        sb.append(" | ").append(c.chunk()).append(" | ").append(c.lo() == null ? "-" : c.lo());
        sb.append(" | ").append(c.hi() == null ? "-" : c.hi());
        sb.append(" | ").append(c.sourceRows()).append(" | ").append(c.targetRows());
        sb.append(" |\n");
      }
    }
    if (!p.notRepairable().isEmpty()) {
      sb.append("\n## Not repairable by re-copying\n\n");
      p.notRepairable().forEach(s -> sb.append("- ").append(s).append("\n"));
    }
    if (!p.expectedToClear().isEmpty()) {
      sb.append("\n## Expected to clear after the repair\n\n");
      p.expectedToClear().forEach(s -> sb.append("- ").append(s).append("\n"));
    }
    return sb.toString();
  }
}
