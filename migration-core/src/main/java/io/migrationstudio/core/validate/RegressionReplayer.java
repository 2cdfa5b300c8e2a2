package io.migrationstudio.core.validate;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.QuerySpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.canonical.CanonicalEncoder;
import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.canonical.ComparisonRule;
import io.migrationstudio.core.canonical.ComparisonRules;
import io.migrationstudio.core.canonical.RowHasher;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.ReadOnlySql;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.MarkdownTable;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.CanonicalType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The regression tester of Validation: replays the spec's query set on both sides. Results are
 * compared order-insensitively as multisets of canonical row hashes (column types from the result
 * metadata through each side's dialect; decimals compared by value, trailing zeros stripped), under
 * the comparison rules the query names per result column ({@code compare:}, the keys of a mapping
 * column's rule, matched to the column label case-insensitively). Trim, case, precision and time
 * zone canonicalise values before hashing; a numeric tolerance quantises them, and the rows whose
 * hashes then find no partner (values within tolerance on either side of a bucket boundary) are
 * paired row by row under the exact rule (at most {@value #MAX_PAIRED_ROWS} of them per side).
 * Latency: after one run that fetches the result (and warms caches), {@value #RUNS} timed runs per
 * side, each executing and reading the whole result; p50 and p95 by nearest rank. A query regresses
 * when the target's p50 exceeds the source's by more than the tolerance <em>and</em> by more than
 * {@value #NOISE_FLOOR_MS} ms, below which timer and scheduling noise dominate.
 *
 * <p>The queries only read: before anything runs, every query's text is checked ({@link
 * ReadOnlySql}: one statement, no word that writes, locks or advances a sequence) and one refusal
 * stops the whole set; each query then runs in a read-only transaction that is rolled back ({@link
 * Dialect#beginReadOnlyTransaction}), on connections whose sessions are read-only too.
 *
 * <p>The verdict is PASS only when {@code validation.json} says PASS, every result matches and no
 * query regressed. Measured latencies are evidence, so they are written into {@code
 * regression.{json,md}}: those two files change from one run to the next (and give a new commit)
 * whenever queries are configured; with none they are byte-stable.
 */
public final class RegressionReplayer {
  public static final int RUNS = 5;
  public static final double NOISE_FLOOR_MS = 1.0;

  /** Unmatched rows per side paired under a tolerance; beyond it they count as different. */
  public static final int MAX_PAIRED_ROWS = 10_000;

  private final Dialect source;
  private final Dialect target;

  public RegressionReplayer(Dialect source, Dialect target) {
    this.source = Objects.requireNonNull(source);
    this.target = Objects.requireNonNull(target);
  }

  /** {@code regression.json}. */
  @JsonPropertyOrder({
    "migration",
    "status",
    "validation_status",
    "latency_tolerance",
    "note",
    "queries"
  })
  public record Report(
      String migration,
      Verdict status,
      @JsonProperty("validation_status") String validationStatus,
      @JsonProperty("latency_tolerance") double latencyTolerance,
      String note,
      List<QueryResult> queries) {
    public Report {
      queries = List.copyOf(queries);
    }
  }

  /** One query's comparison and latencies (milliseconds). */
  @JsonPropertyOrder({
    "name",
    "source_rows",
    "target_rows",
    "results_equal",
    "only_in_source",
    "only_in_target",
    "source_p50_ms",
    "source_p95_ms",
    "target_p50_ms",
    "target_p95_ms",
    "regression",
    "error"
  })
  public record QueryResult(
      String name,
      @JsonProperty("source_rows") long sourceRows,
      @JsonProperty("target_rows") long targetRows,
      @JsonProperty("results_equal") boolean resultsEqual,
      @JsonProperty("only_in_source") long onlyInSource,
      @JsonProperty("only_in_target") long onlyInTarget,
      @JsonProperty("source_p50_ms") double sourceP50Ms,
      @JsonProperty("source_p95_ms") double sourceP95Ms,
      @JsonProperty("target_p50_ms") double targetP50Ms,
      @JsonProperty("target_p95_ms") double targetP95Ms,
      boolean regression,
      String error) {}

  public StageOutput replay(
      Connection src,
      Connection tgt,
      String migrationId,
      List<QuerySpec> queries,
      double latencyTolerance,
      byte[] validationJson) {
    String validationStatus = validationStatus(validationJson);
    List<QueryResult> results = new ArrayList<>();
    List<String> refusals = refusals(queries);
    boolean refused = refusals.stream().anyMatch(Objects::nonNull);
    for (int i = 0; i < queries.size(); i++) {
      QuerySpec q = queries.get(i);
      if (refused) {
        // checked before anything runs: one query that may write and none of the set runs
        String why =
            refusals.get(i) != null
                ? "refused, nothing ran: " + refusals.get(i)
                : "not run: another query of validation.queries was refused";
        results.add(new QueryResult(name(q), 0, 0, false, 0, 0, 0, 0, 0, 0, false, why));
      } else {
        results.add(replay(src, tgt, q, latencyTolerance));
      }
    }
    boolean ok =
        "PASS".equals(validationStatus)
            && results.stream().allMatch(r -> r.resultsEqual() && !r.regression());
    Report report =
        new Report(
            migrationId,
            ok ? Verdict.PASS : Verdict.FAIL,
            validationStatus,
            latencyTolerance,
            queries.isEmpty() ? "no queries configured" : null,
            results);
    long regressed = results.stream().filter(QueryResult::regression).count();
    long differing = results.stream().filter(r -> !r.resultsEqual()).count();
    return new StageOutput(
        Map.of(
            ArtifactPaths.REGRESSION_JSON, Json.bytes(Json.write(report)),
            ArtifactPaths.REGRESSION_MD, Json.bytes(markdown(report))),
        report.status(),
        report.status()
            + ": validation "
            + validationStatus
            + ", "
            + queries.size()
            + " queries, "
            + differing
            + " with different results, "
            + regressed
            + " slower than tolerated");
  }

  /**
   * Per query, why it is not accepted as read-only ({@link ReadOnlySql}, on the text each side
   * runs), or null when it is.
   */
  static List<String> refusals(List<QuerySpec> queries) {
    List<String> out = new ArrayList<>();
    for (QuerySpec q : queries) {
      String why = null;
      for (String side : List.of("source", "target")) {
        String sql = side.equals("source") ? q.forSource() : q.forTarget();
        Optional<String> r = ReadOnlySql.refusal(sql);
        if (r.isPresent() && why == null) {
          why = "the " + side + " SQL of query " + name(q) + " is not read-only: " + r.get();
        }
      }
      out.add(why);
    }
    return out;
  }

  private static String name(QuerySpec q) {
    return q.name() == null ? "query" : q.name();
  }

  private static String validationStatus(byte[] validationJson) {
    if (validationJson == null) {
      return "MISSING";
    }
    JsonNode node = Json.read(validationJson, JsonNode.class, ArtifactPaths.VALIDATION_JSON);
    JsonNode status = node.get("status");
    if (status == null || !status.isTextual()) {
      throw new MigrationException(
          ErrorCode.INVALID_ARTIFACT,
          ArtifactPaths.VALIDATION_JSON + " has no status; re-run the validator");
    }
    return status.asText();
  }

  private QueryResult replay(Connection src, Connection tgt, QuerySpec q, double tolerance) {
    String name = name(q);
    Result s;
    Result t;
    Map<String, ComparisonRule> rules;
    try {
      rules = rules(q);
    } catch (IllegalArgumentException e) {
      return new QueryResult(name, 0, 0, false, 0, 0, 0, 0, 0, 0, false, e.getMessage());
    }
    try {
      s = result(src, source, q.forSource(), rules);
      t = result(tgt, target, q.forTarget(), rules);
    } catch (SQLException e) {
      return new QueryResult(
          name, 0, 0, false, 0, 0, 0, 0, 0, 0, false, e.getSQLState() + ": " + e.getMessage());
    }
    long[] diff = compare(s, t);
    // a query that fails on either side is reported with zero latencies and the failure
    double sp50 = 0;
    double sp95 = 0;
    double tp50 = 0;
    double tp95 = 0;
    boolean regression = false;
    String error = null;
    try {
      double[] sl = latencies(src, source, q.forSource());
      double[] tl = latencies(tgt, target, q.forTarget());
      sp50 = percentile(sl, 50);
      sp95 = percentile(sl, 95);
      tp50 = percentile(tl, 50);
      tp95 = percentile(tl, 95);
      regression = isRegression(sp50, tp50, tolerance);
    } catch (SQLException e) {
      error = e.getSQLState() + ": " + e.getMessage();
    }
    return new QueryResult(
        name,
        s.size(),
        t.size(),
        diff[0] == 0 && diff[1] == 0,
        diff[0],
        diff[1],
        sp50,
        sp95,
        tp50,
        tp95,
        regression,
        error);
  }

  /** Whether the target is slower than tolerated (relative and above the noise floor). */
  public static boolean isRegression(double sourceMs, double targetMs, double tolerance) {
    return targetMs > sourceMs * (1 + tolerance) && targetMs - sourceMs > NOISE_FLOOR_MS;
  }

  /** Nearest-rank percentile of a sample (sorted copy), rounded to 0.001 ms. */
  public static double percentile(double[] sample, int p) {
    double[] sorted = sample.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    double v = sorted[Math.max(0, rank - 1)];
    return Math.round(v * 1000.0) / 1000.0;
  }

  /** {only in a, only in b} of two sorted multisets. */
  static long[] multisetDifference(long[] a, long[] b) {
    int i = 0;
    int j = 0;
    long onlyA = 0;
    long onlyB = 0;
    while (i < a.length || j < b.length) {
      if (j >= b.length || (i < a.length && a[i] < b[j])) {
        onlyA++;
        i++;
      } else if (i >= a.length || b[j] < a[i]) {
        onlyB++;
        j++;
      } else {
        i++;
        j++;
      }
    }
    return new long[] {onlyA, onlyB};
  }

  /** One row of a result: its canonical hash under the rules, and its values. */
  record Row(long hash, Object[] values) {}

  /** A query's result: the column codecs (rules attached) and its rows sorted by hash. */
  record Result(List<ColumnCodec> codecs, List<Row> rows) {
    int size() {
      return rows.size();
    }

    boolean tolerant() {
      return codecs.stream().anyMatch(c -> c.rule() != null && c.rule().hasTolerance());
    }
  }

  /**
   * The rules a query names, by lower-cased column label; an unreadable or contradictory rule is an
   * {@link IllegalArgumentException} naming the query and column.
   */
  static Map<String, ComparisonRule> rules(QuerySpec q) {
    Map<String, ComparisonRule> out = new HashMap<>();
    for (Map.Entry<String, Map<String, Object>> e : q.compare().entrySet()) {
      String where = "validation.queries[" + q.name() + "].compare." + e.getKey();
      ComparisonRule rule;
      try {
        rule = Json.mapper().convertValue(e.getValue(), ComparisonRule.class);
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(
            where + ": not a comparison rule (" + ex.getMessage() + ")");
      }
      List<String> problems = rule.problems(where, rule.impliedKind());
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(String.join("; ", problems));
      }
      out.put(e.getKey().toLowerCase(Locale.ROOT), rule);
    }
    return out;
  }

  /**
   * A query's result rows with their canonical hashes (the rules applied), sorted by hash; read in
   * a read-only transaction that is rolled back.
   */
  static Result result(Connection c, Dialect d, String sql, Map<String, ComparisonRule> rules)
      throws SQLException {
    boolean auto = c.getAutoCommit();
    d.beginReadOnlyTransaction(c);
    try {
      return readResult(c, d, sql, rules);
    } finally {
      c.rollback();
      c.setAutoCommit(auto);
    }
  }

  private static Result readResult(
      Connection c, Dialect d, String sql, Map<String, ComparisonRule> rules) throws SQLException {
    RowHasher hasher = new RowHasher();
    List<Row> rows = new ArrayList<>();
    List<ColumnCodec> codecs = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      ResultSetMetaData md = rs.getMetaData();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        CanonicalType type = d.canonicalType(md.getColumnTypeName(i).toLowerCase(Locale.ROOT));
        String label = md.getColumnLabel(i);
        codecs.add(new ColumnCodec(label, type, null, rules.get(label.toLowerCase(Locale.ROOT))));
      }
      boolean keep = codecs.stream().anyMatch(x -> x.rule() != null && x.rule().hasTolerance());
      while (rs.next()) {
        Object[] values = new Object[codecs.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = codecs.get(i).read(rs, i + 1);
        }
        rows.add(new Row(hasher.hashRow(codecs, values), keep ? values : null));
      }
    }
    rows.sort(Comparator.comparingLong(Row::hash));
    return new Result(List.copyOf(codecs), rows);
  }

  /**
   * {only in a, only in b} of two results: multisets of row hashes; under a tolerance the rows left
   * unmatched are then paired greedily, a pair when every column is equal under its rule.
   */
  static long[] compare(Result a, Result b) {
    List<Row> onlyA = new ArrayList<>();
    List<Row> onlyB = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < a.rows().size() || j < b.rows().size()) {
      if (j >= b.rows().size()
          || (i < a.rows().size() && a.rows().get(i).hash() < b.rows().get(j).hash())) {
        onlyA.add(a.rows().get(i++));
      } else if (i >= a.rows().size() || b.rows().get(j).hash() < a.rows().get(i).hash()) {
        onlyB.add(b.rows().get(j++));
      } else {
        i++;
        j++;
      }
    }
    long leftA = onlyA.size();
    long leftB = onlyB.size();
    if (a.tolerant()
        && a.codecs().size() == b.codecs().size()
        && !onlyA.isEmpty()
        && !onlyB.isEmpty()
        && onlyA.size() <= MAX_PAIRED_ROWS
        && onlyB.size() <= MAX_PAIRED_ROWS) {
      boolean[] used = new boolean[onlyB.size()];
      for (Row x : onlyA) {
        for (int k = 0; k < onlyB.size(); k++) {
          if (!used[k]
              && sameUnderRules(a.codecs(), b.codecs(), x.values(), onlyB.get(k).values())) {
            used[k] = true;
            leftA--;
            leftB--;
            break;
          }
        }
      }
    }
    return new long[] {leftA, leftB};
  }

  /** Whether two rows agree column by column: tolerance columns by value, the rest by encoding. */
  private static boolean sameUnderRules(
      List<ColumnCodec> ca, List<ColumnCodec> cb, Object[] x, Object[] y) {
    for (int c = 0; c < x.length; c++) {
      ColumnCodec codec = ca.get(c);
      if (codec.rule() != null && codec.rule().hasTolerance()) {
        if (!ComparisonRules.equal(codec, x[c], y[c])) {
          return false;
        }
      } else if (!Arrays.equals(encoded(codec, x[c]), encoded(cb.get(c), y[c]))) {
        return false;
      }
    }
    return true;
  }

  private static byte[] encoded(ColumnCodec codec, Object value) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(16);
    CanonicalEncoder.encode(codec, value, out);
    return out.toByteArray();
  }

  /** {@value #RUNS} timed runs, each in its own read-only transaction, rolled back. */
  private static double[] latencies(Connection c, Dialect d, String sql) throws SQLException {
    double[] ms = new double[RUNS];
    boolean auto = c.getAutoCommit();
    try {
      for (int r = 0; r < RUNS; r++) {
        d.beginReadOnlyTransaction(c);
        long start = System.nanoTime();
        try (PreparedStatement ps = c.prepareStatement(sql);
            ResultSet rs = ps.executeQuery()) {
          int cols = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            for (int i = 1; i <= cols; i++) {
              rs.getObject(i);
            }
          }
        }
        ms[r] = (System.nanoTime() - start) / 1_000_000.0;
        c.rollback();
      }
    } finally {
      c.rollback();
      c.setAutoCommit(auto);
    }
    return ms;
  }

  static String markdown(Report r) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Regression replay: ").append(r.migration()).append("\n\n");
    sb.append("Verdict: **").append(r.status()).append("** (validation ");
    sb.append(r.validationStatus()).append(", latency tolerance ");
    sb.append(Math.round(r.latencyTolerance() * 100)).append(" %).\n\n");
    if (r.queries().isEmpty()) {
      sb.append("No queries configured (validation.queries is empty): nothing to replay.\n");
      return sb.toString();
    }
    sb.append("| query | source rows | target rows | results equal | source p50/p95 ms |");
    sb.append(" target p50/p95 ms | regression |\n");
    sb.append("|---|---:|---:|---|---:|---:|---|\n");
    for (QueryResult q : r.queries()) {
      sb.append("| ").append(MarkdownTable.cell(q.name())).append(" | ").append(q.sourceRows());
      sb.append(" | ").append(q.targetRows()).append(" | ");
      sb.append(q.error() != null ? "error: " + MarkdownTable.cell(q.error()) : q.resultsEqual());
      sb.append(" | ").append(q.sourceP50Ms()).append(" / ").append(q.sourceP95Ms());
      sb.append(" | ").append(q.targetP50Ms()).append(" / ").append(q.targetP95Ms());
      sb.append(" | ").append(q.regression() ? "yes" : "no").append(" |\n");
    }
    return sb.toString();
  }
}
