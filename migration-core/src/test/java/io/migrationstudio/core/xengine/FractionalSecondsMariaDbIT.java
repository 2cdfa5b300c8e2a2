package io.migrationstudio.core.xengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MappingOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.TypeRule;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.ChunkProgress;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.validate.ValidationReport;
import io.migrationstudio.core.validate.Validator;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fractional seconds with leading zeros ({@code .001}, {@code .01}, {@code .000001}) in {@code
 * datetime(1..6)}, {@code timestamp(1..6)} and {@code time(1..6)} arrive exactly: MariaDB
 * Connector/J's {@code getString} of such a column drops the fraction's leading zeros ({@code
 * 00:00:00.001} in a {@code datetime(3)} reads {@code 00:00:00.1000}), so a reader that took the
 * driver's text would copy 0.001 s as 0.1 s. Every target value is compared with what the source
 * server computes itself ({@code DATE_FORMAT}, {@code UNIX_TIMESTAMP}, {@code TIME_TO_SEC}), never
 * through the driver or the studio's reader, for in-day times copied to {@code time(n)} and for
 * negative and out-of-day times copied to {@code interval}. Validation passes on the right copy,
 * and the server-computed microseconds catch a copy whose fractions lost their leading zeros even
 * when the chunk checksums share the reader's mistake.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class FractionalSecondsMariaDbIT {
  private static final PostgresDialect PG = new PostgresDialect();
  private static final String[] FRACTIONS = {
    "000001", "00001", "0001", "0005", "001", "009", "01", "05", "1", "000999", "000000", "999999"
  };

  @Test
  void leadingZerosOfFractionsArriveAsTheSourceServerStatesThem(
      TestMariaDb maria, TestDatabase target) throws Exception {
    List<String> columns = new ArrayList<>();
    for (int p = 1; p <= 6; p++) {
      columns.add("dt" + p + " datetime(" + p + ") NULL");
      columns.add("ts" + p + " timestamp(" + p + ") NULL DEFAULT NULL");
      columns.add("tm" + p + " time(" + p + ") NULL");
    }
    List<String> rows = new ArrayList<>();
    int id = 0;
    for (String f : FRACTIONS) {
      for (String clock : List.of("00:00:00.", "10:20:30.")) {
        List<String> v = new ArrayList<>();
        for (int p = 1; p <= 6; p++) {
          v.add("'2024-01-15 " + clock + f + "'");
          v.add("'2024-01-15 " + clock + f + "'");
          v.add("'" + clock + f + "'");
        }
        rows.add("(" + ++id + ", " + String.join(", ", v) + ")");
      }
    }
    rows.add(
        "(" + ++id + ", " + String.join(", ", java.util.Collections.nCopies(18, "NULL")) + ")");
    List<String> spans = new ArrayList<>();
    int sid = 0;
    for (String f : FRACTIONS) {
      for (String clock : List.of("-00:00:00.", "100:00:00.", "-838:59:58.", "-12:00:00.")) {
        List<String> v = new ArrayList<>();
        for (int p = 1; p <= 6; p++) {
          v.add("'" + clock + f + "'");
        }
        spans.add("(" + ++sid + ", " + String.join(", ", v) + ")");
      }
    }
    maria.execute(
        "SET time_zone = '+00:00'",
        "CREATE TABLE frac (id int PRIMARY KEY, " + String.join(", ", columns) + ")",
        "INSERT INTO frac VALUES " + String.join(", ", rows),
        "CREATE TABLE spans (id int PRIMARY KEY, sp1 time(1), sp2 time(2), sp3 time(3),"
            + " sp4 time(4), sp5 time(5), sp6 time(6))",
        "INSERT INTO spans VALUES " + String.join(", ", spans));

    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    try (Connection src =
            Dialects.open(
                new ConnectionSpec(maria.jdbcUrl(), maria.user(), null, null),
                new SecretResolver(Map.of()),
                "source");
        Connection tgt = target.connect()) {
      MappingDocument identity = generate(src, source, maria, "frac", null);
      MappingDocument intervals =
          generate(
              src,
              source,
              maria,
              "spans",
              new TypeRule(new TypeRule.Match("time", null, null), "interval", null, "±838 hours"));
      copy(source, src, tgt, identity, "frac");
      copy(source, src, tgt, intervals, "spans");

      assertEquals(
          values(src, "frac", "id", c -> sourceExpr(c)),
          values(tgt, "frac", "id", c -> targetExpr(c)),
          "datetime, timestamp and time values as each server states them");
      assertEquals(
          values(src, "spans", "id", c -> "TIME_TO_SEC(" + c + ")"),
          values(tgt, "spans", "id", c -> "extract(epoch FROM " + c + ")"),
          "out-of-day and negative times as seconds each server computes");

      for (MappingDocument mapping : List.of(identity, intervals)) {
        ValidationReport report = new Validator(source, PG).report(src, tgt, mapping, "f", 10, 3);
        assertEquals(Verdict.PASS, report.status(), Json.write(report));
      }

      // a copy whose fractions lost their leading zeros: the servers' microseconds differ
      try (Statement s = tgt.createStatement()) {
        s.executeUpdate(
            "UPDATE frac SET dt3 = dt3 + interval '0.099 second',"
                + " ts3 = ts3 + interval '0.099 second', tm3 = tm3 + interval '0.099 second'"
                + " WHERE id = 7");
      }
      ValidationReport broken =
          new Validator(source, PG).report(src, tgt, identity, "broken", 10, 3);
      assertEquals(Verdict.FAIL, broken.status(), Json.write(broken));
      List<String> differing =
          broken.tables().get(0).aggregates().stream()
              .filter(a -> !a.differing().isEmpty())
              .map(a -> a.column())
              .sorted()
              .toList();
      assertEquals(
          List.of(
              "dt3 (microseconds computed by each server)",
              "tm3 (microseconds computed by each server)",
              "ts3 (microseconds computed by each server)"),
          differing,
          Json.write(broken));
    }
  }

  /**
   * A {@code datetime(3)} key cut into chunks of three rows: the driver's text of the boundaries
   * would not be keys of the table ({@code .004} read as {@code .4000}) and would not ascend, so
   * chunks would overlap (healed only by each chunk's delete-then-insert); the planner and
   * validation's bisection read the server's text: every boundary is a source key, they ascend, and
   * every row arrives.
   */
  @Test
  void temporalKeysAreCutAtTheServersBoundaries(TestMariaDb maria, TestDatabase target)
      throws Exception {
    List<String> rows = new ArrayList<>();
    for (int ms = 1; ms <= 40; ms++) {
      rows.add("('2024-01-15 10:20:30." + String.format("%03d", ms) + "', " + ms + ")");
    }
    maria.execute(
        "CREATE TABLE moments (at datetime(3) PRIMARY KEY, n int NOT NULL)",
        "INSERT INTO moments VALUES " + String.join(", ", rows));
    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    try (Connection src =
            Dialects.open(
                new ConnectionSpec(maria.jdbcUrl(), maria.user(), null, null),
                new SecretResolver(Map.of()),
                "source");
        Connection tgt = target.connect()) {
      MappingDocument mapping = generate(src, source, maria, "moments", null);
      TargetPreparer.Prepared prepared =
          new TargetPreparer(source, PG).prepare(src, tgt, mapping, "moments", 3);
      List<ChunkRange> chunks = prepared.tables().get(0).chunks();
      assertTrue(chunks.size() > 5, "cut into chunks: " + chunks);
      java.time.LocalDateTime previous = null;
      for (ChunkRange range : chunks) {
        if (range.lo() == null) {
          continue;
        }
        // every boundary is a key the source holds, and they ascend
        try (java.sql.PreparedStatement ps =
            src.prepareStatement("SELECT count(*) FROM moments WHERE at = ?")) {
          ps.setString(1, range.lo());
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            assertEquals(1, rs.getLong(1), "boundary " + range.lo() + " of " + chunks);
          }
        }
        java.time.LocalDateTime at = java.time.LocalDateTime.parse(range.lo().replace(' ', 'T'));
        assertTrue(previous == null || at.isAfter(previous), "ascending: " + chunks);
        previous = at;
      }
      ChunkCopier copier = new ChunkCopier(source, PG);
      TableMapping table = mapping.tables().get(0);
      for (ChunkRange range : chunks) {
        copier.copy(src, tgt, mapping, table, range, "moments", ChunkProgress.NONE);
      }
      assertEquals(
          values(src, "moments", "DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f')", c -> c),
          values(tgt, "moments", "to_char(at, 'YYYY-MM-DD HH24:MI:SS.US')", c -> c));
      ValidationReport report = new Validator(source, PG).report(src, tgt, mapping, "m", 10, 3);
      assertEquals(Verdict.PASS, report.status(), Json.write(report));
    }
  }

  private static String sourceExpr(String column) {
    return switch (column.substring(0, 2)) {
      case "dt" -> "DATE_FORMAT(" + column + ", '%Y-%m-%d %H:%i:%s.%f')";
      case "ts" -> "UNIX_TIMESTAMP(" + column + ")";
      default -> "TIME_FORMAT(" + column + ", '%H:%i:%s.%f')";
    };
  }

  private static String targetExpr(String column) {
    return switch (column.substring(0, 2)) {
      case "dt" -> "to_char(" + column + ", 'YYYY-MM-DD HH24:MI:SS.US')";
      case "ts" -> "extract(epoch FROM " + column + ")";
      default -> "to_char(" + column + ", 'HH24:MI:SS.US')";
    };
  }

  /**
   * One line per row in the order of {@code key}: the key, then every column but the first through
   * {@code expr}, numbers without trailing zeros.
   */
  private static List<String> values(
      Connection c, String table, String key, Function<String, String> expr) throws Exception {
    List<String> names = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
      ResultSetMetaData md = rs.getMetaData();
      for (int i = 2; i <= md.getColumnCount(); i++) {
        names.add(md.getColumnName(i).toLowerCase(java.util.Locale.ROOT));
      }
    }
    StringBuilder q = new StringBuilder("SELECT ").append(key);
    for (String n : names) {
      q.append(", ").append(expr.apply(n));
    }
    q.append(" FROM ").append(table).append(" ORDER BY 1");
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(q.toString())) {
      while (rs.next()) {
        StringBuilder line = new StringBuilder(rs.getString(1));
        for (int i = 0; i < names.size(); i++) {
          Object v = rs.getObject(i + 2);
          String text =
              v instanceof Number
                  ? new BigDecimal(v.toString()).stripTrailingZeros().toPlainString()
                  : String.valueOf(v);
          line.append(" | ").append(names.get(i)).append('=').append(text);
        }
        out.add(line.toString());
      }
    }
    return out;
  }

  private static void copy(
      Dialect source, Connection src, Connection tgt, MappingDocument mapping, String migration) {
    TargetPreparer.Prepared prepared =
        new TargetPreparer(source, PG).prepare(src, tgt, mapping, migration, 3);
    ChunkCopier copier = new ChunkCopier(source, PG);
    for (TablePlan plan : prepared.tables()) {
      TableMapping table = mapping.bySource(plan.sourceTable()).orElseThrow();
      for (ChunkRange range : plan.chunks()) {
        copier.copy(src, tgt, mapping, table, range, migration, ChunkProgress.NONE);
      }
    }
  }

  private static MappingDocument generate(
      Connection src, Dialect source, TestMariaDb maria, String table, TypeRule rule)
      throws Exception {
    MigrationSpec spec =
        new MigrationSpec(
            "frac",
            null,
            new ConnectionSpec(maria.jdbcUrl(), "root", null, maria.name()),
            new ConnectionSpec("jdbc:postgresql://localhost/x", "postgres", null, "public"),
            null,
            new MappingOptions("identity", null, rule == null ? null : List.of(rule)),
            null,
            null,
            null,
            null,
            null,
            null);
    return new MappingGenerator()
        .generate(
            InventoryService.introspect(src, source, maria.name(), t -> t.equals(table)),
            spec,
            null);
  }
}
