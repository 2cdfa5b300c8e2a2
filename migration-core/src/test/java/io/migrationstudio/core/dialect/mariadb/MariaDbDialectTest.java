package io.migrationstudio.core.dialect.mariadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.schema.CanonicalType;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MariaDbDialectTest {
  private final MariaDbDialect d = new MariaDbDialect();

  @Test
  void acceptsMariaDbAndMysqlUrlsAndReadsTheirDatabase() {
    assertTrue(d.accepts("jdbc:mariadb://h:3306/shop"));
    assertTrue(d.accepts("jdbc:mysql://h/shop?permitMysqlScheme"));
    assertFalse(d.accepts("jdbc:postgresql://h/shop"));
    assertEquals("shop", d.defaultSchema("jdbc:mariadb://h:3306/shop?user=x"));
    assertEquals("Sales Ω", d.defaultSchema("jdbc:mysql://h1,h2/Sales%20%CE%A9;x=y"));
    assertEquals("", d.defaultSchema("jdbc:mariadb://h:3306"));
    assertEquals("", d.defaultSchema());
  }

  @Test
  void mysqlSchemeGetsPermitMysqlSchemeOnlyWhenAbsent() {
    assertEquals("jdbc:mysql://h/shop?permitMysqlScheme", d.driverUrl("jdbc:mysql://h/shop"));
    assertEquals(
        "jdbc:mysql://h/shop?user=x&permitMysqlScheme", d.driverUrl("jdbc:mysql://h/shop?user=x"));
    assertEquals(
        "jdbc:mysql://h/shop?permitMysqlScheme=true",
        d.driverUrl("jdbc:mysql://h/shop?permitMysqlScheme=true"));
    assertEquals("jdbc:mariadb://h/shop", d.driverUrl("jdbc:mariadb://h/shop"));
    assertEquals("shop", d.defaultSchema(d.driverUrl("jdbc:mysql://h/shop")));
    for (String option :
        List.of(
            "connectionTimeZone=LOCAL",
            "forceConnectionTimeZoneToSession=false",
            "timezone=Europe/Berlin",
            "sessionVariables=time_zone='%2B03:00'")) {
      MigrationException e =
          assertThrows(
              MigrationException.class,
              () -> d.driverUrl("jdbc:mariadb://h/shop?user=x&" + option),
              option);
      assertEquals(ErrorCode.INVALID_SPEC, e.code(), option);
    }
    assertEquals(
        "jdbc:mariadb://h/shop?sessionVariables=sql_mode=ANSI",
        d.driverUrl("jdbc:mariadb://h/shop?sessionVariables=sql_mode=ANSI"));
  }

  @Test
  void onUpdateIsReadFromExtraOfMariaDbAndMysql() {
    assertEquals("current_timestamp()", MariaDbCatalog.onUpdate("on update current_timestamp()"));
    assertEquals(
        "current_timestamp(3)",
        MariaDbCatalog.onUpdate("DEFAULT_GENERATED on update CURRENT_TIMESTAMP(3)"));
    assertEquals("current_timestamp()", MariaDbCatalog.onUpdate("on update CURRENT_TIMESTAMP"));
    assertEquals(null, MariaDbCatalog.onUpdate("auto_increment"));
    assertEquals(null, MariaDbCatalog.onUpdate("DEFAULT_GENERATED"));
    assertEquals(null, MariaDbCatalog.onUpdate(null));
  }

  @Test
  void mysqlDefaultsAreQuotedUnlessTheyAreLiteralsOrExpressions() {
    assertEquals("'G'", MariaDbCatalog.defaultExpression("G", "", false));
    assertEquals("'it''s'", MariaDbCatalog.defaultExpression("it's", "", false));
    assertEquals("4.99", MariaDbCatalog.defaultExpression("4.99", "", false));
    assertEquals("b'1'", MariaDbCatalog.defaultExpression("b'1'", "", false));
    assertEquals(
        "CURRENT_TIMESTAMP",
        MariaDbCatalog.defaultExpression(
            "CURRENT_TIMESTAMP", "DEFAULT_GENERATED on update CURRENT_TIMESTAMP", false));
    assertEquals("uuid()", MariaDbCatalog.defaultExpression("uuid()", "DEFAULT_GENERATED", false));
    assertEquals("'G'", MariaDbCatalog.defaultExpression("'G'", "", true));
    assertEquals(null, MariaDbCatalog.defaultExpression("NULL", "", true));
  }

  @Test
  void quotesWithBackticks() {
    assertEquals("`order`", d.quote("order"));
    assertEquals("`we``ird`", d.quote("we`ird"));
    assertEquals("`a\"b'c Ω`", d.quote("a\"b'c Ω"));
    assertEquals("`db`.`t`", d.qualify("db", "t"));
    assertEquals("`t`", d.qualify("", "t"));
  }

  @Test
  void canonicalTypesCoverTheCatalogue() {
    Map<String, CanonicalType> cases =
        Map.ofEntries(
            Map.entry("tinyint(1)", CanonicalType.BOOLEAN),
            Map.entry("tinyint(4)", CanonicalType.SMALLINT),
            Map.entry("tinyint(3) unsigned", CanonicalType.SMALLINT),
            Map.entry("smallint(6)", CanonicalType.SMALLINT),
            Map.entry("smallint(5) unsigned", CanonicalType.INTEGER),
            Map.entry("mediumint(8) unsigned zerofill", CanonicalType.INTEGER),
            Map.entry("int(11)", CanonicalType.INTEGER),
            Map.entry("int(10) unsigned", CanonicalType.BIGINT),
            Map.entry("INTEGER UNSIGNED", CanonicalType.BIGINT),
            Map.entry("bigint(20)", CanonicalType.BIGINT),
            Map.entry("bigint(20) unsigned", CanonicalType.DECIMAL),
            Map.entry("decimal(10,2)", CanonicalType.DECIMAL),
            Map.entry("float", CanonicalType.REAL),
            Map.entry("float(7,4)", CanonicalType.REAL),
            Map.entry("float(30)", CanonicalType.DOUBLE),
            Map.entry("double unsigned", CanonicalType.DOUBLE),
            Map.entry("bit(1)", CanonicalType.BOOLEAN),
            Map.entry("bit(12)", CanonicalType.BYTES),
            Map.entry("char(3)", CanonicalType.CHAR),
            Map.entry(
                "varchar(45) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", CanonicalType.VARCHAR),
            Map.entry(
                "mediumtext CHARACTER SET latin1 COLLATE latin1_swedish_ci", CanonicalType.TEXT),
            Map.entry("longtext", CanonicalType.TEXT),
            Map.entry("varbinary(16)", CanonicalType.BYTES),
            Map.entry("longblob", CanonicalType.BYTES),
            Map.entry("date", CanonicalType.DATE),
            Map.entry("time(6)", CanonicalType.TIME),
            Map.entry("datetime(3)", CanonicalType.TIMESTAMP),
            Map.entry("timestamp", CanonicalType.TIMESTAMPTZ),
            Map.entry("year(4)", CanonicalType.SMALLINT),
            Map.entry("json", CanonicalType.JSON),
            Map.entry("enum('a','b c')", CanonicalType.ENUM),
            Map.entry(
                "set('x','y') CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci",
                CanonicalType.TEXT),
            Map.entry("uuid", CanonicalType.UUID),
            Map.entry("geometry", CanonicalType.UNSUPPORTED),
            Map.entry("point", CanonicalType.UNSUPPORTED),
            Map.entry("multipolygon", CanonicalType.UNSUPPORTED),
            Map.entry("int(11) GENERATED ALWAYS AS (`a` * (2)) VIRTUAL", CanonicalType.INTEGER));
    cases.forEach((type, expected) -> assertEquals(expected, d.canonicalType(type), type));
  }

  @Test
  void classifiesByVendorCodeAndSqlState() {
    assertEquals(ErrorCode.AUTHENTICATION_FAILED, code("28000", 1045));
    assertEquals(ErrorCode.MISSING_OBJECT, code("42000", 1049));
    assertEquals(ErrorCode.MISSING_OBJECT, code("42S02", 1146));
    assertEquals(ErrorCode.TRANSIENT_SQL, code("08000", 0));
    assertEquals(ErrorCode.TRANSIENT_SQL, code("HY000", 2013));
    assertEquals(ErrorCode.TRANSIENT_SQL, code("40001", 1213));
    assertEquals(ErrorCode.TRANSIENT_SQL, code("HY000", 1205));
    assertEquals(ErrorCode.PERMANENT_SQL, code("23000", 1062));
    assertEquals(ErrorCode.PERMANENT_SQL, code(null, 1264));
    String msg =
        d.classify(
                new SQLException(
                    "Access denied, url jdbc:mariadb://u:pw@h/db?password=hunter2", "28000", 1045),
                "opening db")
            .getMessage();
    assertTrue(msg.contains("(SQLState 28000, vendor code 1045)"), msg);
    assertFalse(msg.contains("hunter2"), msg);
  }

  private ErrorCode code(String state, int vendor) {
    return d.classify(new SQLException("boom", state, vendor), "x").code();
  }
}
