package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.validate.ValidationReport;
import io.migrationstudio.core.validate.Validator;
import io.migrationstudio.testkit.EmbeddedMariaDbServer;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MySQL/MariaDB temporal values arrive equal to the source whatever the server's time zone: the
 * shared embedded server's GLOBAL {@code time_zone} is set to UTC, {@code +03:00}, {@code -05:00}
 * and {@code Europe/Berlin} (daylight saving; the embedded server ships no zone tables and no
 * {@code mysql_tzinfo_to_sql}, so {@link #loadBerlin} writes the zone's CET/CEST transitions from
 * the JDK's rules into {@code mysql.time_zone*}), the rows are written by sessions in that zone
 * (and the two instants of the repeated autumn hour by a UTC session), and {@code timestamp(6)},
 * {@code datetime(6)}, {@code date} and {@code time(6)} values with fractional seconds are copied
 * to PostgreSQL through the binary and the text COPY paths. Every value is compared with what the
 * source server computes itself ({@code UNIX_TIMESTAMP}, {@code DATE_FORMAT}), never through the
 * studio's reader, and validation passes. The global zone is reset after each test.
 */
@ExtendWith({MariaDbExtension.class, PostgresExtension.class})
class MariaDbTimeZoneIT {
  private static final PostgresDialect PG = new PostgresDialect();
  private static final SecretResolver SECRETS = new SecretResolver(Map.of());

  @AfterEach
  void resetGlobalZone() throws Exception {
    root("SET GLOBAL time_zone = 'SYSTEM'");
  }

  @ParameterizedTest(name = "server time zone {0}")
  @ValueSource(strings = {"+00:00", "+03:00", "-05:00", "Europe/Berlin"})
  void everyValueArrivesAsTheSourceServerStatesIt(
      String zone, TestMariaDb maria, TestDatabase binaryTarget, TestDatabase textTarget)
      throws Exception {
    if (zone.contains("/")) {
      loadBerlin();
    }
    root("SET GLOBAL time_zone = '" + zone + "'");
    createAndFill(maria);
    try (Connection plain = maria.connect()) {
      assertEquals(
          zone,
          queryString(plain, "SELECT @@session.time_zone"),
          "a plain session runs in the server's zone");
    }
    List<String> expected = sourceValues(maria);
    try (Connection src = openSource(maria);
        Connection bin = binaryTarget.connect();
        Connection txt = textTarget.connect()) {
      assertEquals("+00:00", queryString(src, "SELECT @@session.time_zone"), "pinned session");
      MappingDocument mapping = TestMappings.mariaDbIdentity(maria, src, t -> true);
      Dialect source = Dialects.forUrl(maria.jdbcUrl());
      copy(source, src, bin, mapping, "tz-bin", new ChunkCopier(source, PG));
      copy(source, src, txt, mapping, "tz-txt", new ChunkCopier(source, PG).withoutBinaryRows());
      assertEquals(expected, targetValues(bin), "binary COPY path, server zone " + zone);
      assertEquals(expected, targetValues(txt), "text COPY path, server zone " + zone);
      for (Connection tgt : List.of(bin, txt)) {
        ValidationReport report = new Validator(source, PG).report(src, tgt, mapping, "tz", 10, 3);
        assertEquals(Verdict.PASS, report.status(), Json.write(report));
        assertTrue(
            report.tables().get(0).aggregates().stream()
                .anyMatch(a -> a.column().startsWith("ts (microseconds computed by each server")),
            "the instants were checked by the servers: " + Json.write(report));
      }
    }
  }

  /**
   * A copy whose reader shifted every instant (the source read through a session in {@code +03:00},
   * as before the session zone was pinned) is found by validation even when validation reads the
   * source through the same mistake: the chunk checksums agree with the copy, the server-computed
   * microseconds do not.
   */
  @Test
  void validationFailsOnShiftedInstantsEvenWhenItsReaderSharesTheMistake(
      TestMariaDb maria, TestDatabase target) throws Exception {
    root("SET GLOBAL time_zone = '+03:00'");
    createAndFill(maria);
    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    try (Connection shifted = maria.connect();
        Connection tgt = target.connect()) {
      assertEquals("+03:00", queryString(shifted, "SELECT @@session.time_zone"));
      MappingDocument mapping = TestMappings.mariaDbIdentity(maria, shifted, t -> true);
      copy(source, shifted, tgt, mapping, "shift", new ChunkCopier(source, PG));
      assertEquals(
          10800,
          target.queryLong("SELECT round(extract(epoch FROM ts))::bigint FROM tz WHERE id = 1")
              - maria.queryLong("SELECT UNIX_TIMESTAMP(ts) FROM tz WHERE id = 1"),
          "the copy through an unpinned +03:00 session shifted the instant");
      ValidationReport report =
          new Validator(source, PG).report(shifted, tgt, mapping, "shift", 10, 3);
      ValidationReport.TableValidation t = report.tables().get(0);
      assertEquals(0, t.changed(), "the reader's checksums share the mistake: " + Json.write(t));
      assertEquals(Verdict.FAIL, report.status(), Json.write(report));
      List<String> differing =
          t.aggregates().stream()
              .filter(a -> !a.differing().isEmpty())
              .map(a -> a.column())
              .toList();
      assertEquals(List.of("ts (microseconds computed by each server)"), differing);
    }
  }

  private static void createAndFill(TestMariaDb maria) {
    maria.execute(
        "CREATE TABLE tz (id int PRIMARY KEY, ts timestamp(6) NULL DEFAULT NULL,"
            + " dt datetime(6) NULL, d date NULL, tm time(6) NULL)",
        // written by a session in the server's zone, as an application would
        "INSERT INTO tz VALUES"
            + " (1, '2024-01-15 10:20:30.123456', '2024-01-15 10:20:30.123456', '2024-01-15',"
            + " '10:20:30.123456'),"
            + " (2, '2024-07-01 23:59:59.999999', '2024-07-01 23:59:59.999999', '2024-07-01',"
            + " '23:59:59.999999'),"
            + " (3, '1999-12-31 23:00:00.5', '1000-01-01 00:00:00.000001', '9999-12-31',"
            + " '00:00:00.000001'),"
            + " (4, NULL, NULL, NULL, NULL),"
            + " (5, '2024-03-31 03:00:00.000001', '2024-03-31 02:30:00.25', '2024-03-31',"
            + " '02:30:00.25')",
        // the two instants of Berlin's repeated hour (02:30 CEST and 02:30 CET) and one just
        // before the spring gap, written by a UTC session: no zone text is ambiguous there
        "SET time_zone = '+00:00'",
        "INSERT INTO tz VALUES"
            + " (6, '2024-10-27 00:30:00.5', '2024-10-27 02:30:00.5', '2024-10-27', '02:30:00.5'),"
            + " (7, '2024-10-27 01:30:00.25', '2024-10-27 02:30:00.25', '2024-10-27',"
            + " '02:30:00.25'),"
            + " (8, '2024-03-31 00:59:59.999999', '2024-03-31 01:59:59.999999', '2024-03-31',"
            + " '01:59:59.999999'),"
            // the ends of each type's range
            + " (9, '1970-01-01 00:00:01', '0001-01-01 00:00:00.000001', '0001-01-01',"
            + " '00:00:00'),"
            + " (10, '2038-01-19 03:14:07.999999', '9999-12-31 23:59:59.999999', '9999-12-31',"
            + " '23:59:59.999999')");
  }

  /** The values as the source server states them, one line per row. */
  private static List<String> sourceValues(TestMariaDb maria) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = maria.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT id, UNIX_TIMESTAMP(ts), DATE_FORMAT(dt, '%Y-%m-%d %H:%i:%s.%f'),"
                    + " DATE_FORMAT(d, '%Y-%m-%d'), TIME_FORMAT(tm, '%H:%i:%s.%f')"
                    + " FROM tz ORDER BY id")) {
      while (rs.next()) {
        out.add(line(rs));
      }
    }
    return out;
  }

  /** The values as PostgreSQL states them, in the same form. */
  private static List<String> targetValues(Connection c) throws Exception {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT id, extract(epoch FROM ts), to_char(dt, 'YYYY-MM-DD HH24:MI:SS.US'),"
                    + " to_char(d, 'YYYY-MM-DD'), to_char(tm, 'HH24:MI:SS.US')"
                    + " FROM tz ORDER BY id")) {
      while (rs.next()) {
        out.add(line(rs));
      }
    }
    return out;
  }

  private static String line(ResultSet rs) throws Exception {
    BigDecimal epoch = rs.getBigDecimal(2);
    return rs.getInt(1)
        + " | "
        + (epoch == null ? null : epoch.stripTrailingZeros().toPlainString())
        + " | "
        + rs.getString(3)
        + " | "
        + rs.getString(4)
        + " | "
        + rs.getString(5);
  }

  private static void copy(
      Dialect source,
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String migration,
      ChunkCopier copier) {
    TargetPreparer.Prepared prepared =
        new TargetPreparer(source, PG).prepare(src, tgt, mapping, migration, 3);
    for (TablePlan plan : prepared.tables()) {
      TableMapping table = mapping.bySource(plan.sourceTable()).orElseThrow();
      for (ChunkRange range : plan.chunks()) {
        copier.copy(src, tgt, mapping, table, range, migration, ChunkProgress.NONE);
      }
    }
  }

  /** A source connection as the studio opens one. */
  private static Connection openSource(TestMariaDb maria) {
    return Dialects.open(
        new ConnectionSpec(maria.jdbcUrl(), maria.user(), null, null), SECRETS, "source");
  }

  private static String queryString(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void root(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(EmbeddedMariaDbServer.jdbcUrl(""), "root", "");
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /**
   * Loads {@code Europe/Berlin} into the server's zone tables once per server: two transition types
   * (CET +01:00, CEST +02:00 with DST) and every transition from 1980 to 2040 as the JDK's rules
   * give them (Berlin has used only these two offsets since 1980).
   */
  private static synchronized void loadBerlin() throws Exception {
    try (Connection c = DriverManager.getConnection(EmbeddedMariaDbServer.jdbcUrl(""), "root", "");
        Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery(
              "SELECT count(*) FROM mysql.time_zone_name WHERE Name = 'Europe/Berlin'")) {
        rs.next();
        if (rs.getLong(1) > 0) {
          return;
        }
      }
      s.execute("INSERT INTO mysql.time_zone (Use_leap_seconds) VALUES ('N')");
      s.execute("SET @tz = LAST_INSERT_ID()");
      s.execute(
          "INSERT INTO mysql.time_zone_name (Name, Time_zone_id) VALUES ('Europe/Berlin', @tz)");
      s.execute(
          "INSERT INTO mysql.time_zone_transition_type"
              + " (Time_zone_id, Transition_type_id, `Offset`, Is_DST, Abbreviation)"
              + " VALUES (@tz, 0, 3600, 0, 'CET'), (@tz, 1, 7200, 1, 'CEST')");
      ZoneRules rules = ZoneId.of("Europe/Berlin").getRules();
      StringBuilder values = new StringBuilder();
      Instant at = Instant.parse("1980-01-01T00:00:00Z");
      Instant end = Instant.parse("2040-01-01T00:00:00Z");
      for (ZoneOffsetTransition t = rules.nextTransition(at);
          t != null && t.getInstant().isBefore(end);
          t = rules.nextTransition(t.getInstant())) {
        int type = t.getOffsetAfter().getTotalSeconds() == 7200 ? 1 : 0;
        values.append(values.length() == 0 ? "" : ", ");
        values.append("(@tz, ").append(t.getInstant().getEpochSecond()).append(", ");
        values.append(type).append(")");
      }
      s.execute(
          "INSERT INTO mysql.time_zone_transition"
              + " (Time_zone_id, Transition_time, Transition_type_id) VALUES "
              + values);
    }
    try (Connection c = DriverManager.getConnection(EmbeddedMariaDbServer.jdbcUrl(""), "root", "");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT CONVERT_TZ('2024-07-01 12:00:00', '+00:00', 'Europe/Berlin'),"
                    + " CONVERT_TZ('2024-01-01 12:00:00', '+00:00', 'Europe/Berlin')")) {
      rs.next();
      assertEquals("2024-07-01 14:00:00", rs.getString(1), "CEST loaded");
      assertEquals("2024-01-01 13:00:00", rs.getString(2), "CET loaded");
    }
  }
}
