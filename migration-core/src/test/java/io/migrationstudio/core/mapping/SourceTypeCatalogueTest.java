package io.migrationstudio.core.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.core.dialect.mariadb.MariaDbDialect;
import io.migrationstudio.core.dialect.sqlite.SqliteDialect;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The MySQL/MariaDB and SQLite → PostgreSQL catalogues, row by row: native type as the catalog
 * spells it → target type, disposition. Precision, scale and length are taken from the native
 * spelling as the catalogs report them.
 */
class SourceTypeCatalogueTest {
  private static final MariaDbDialect MARIADB = new MariaDbDialect();
  private static final SqliteDialect SQLITE = new SqliteDialect();

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "tinyint(1)|boolean|map",
        "bool|boolean|map",
        "bit(1)|boolean|map",
        "tinyint(4)|smallint|map",
        "tinyint(3) unsigned|smallint|map",
        "smallint(6)|smallint|map",
        "smallint(5) unsigned|integer|map",
        "mediumint(9)|integer|map",
        "mediumint(8) unsigned|integer|map",
        "int(11)|integer|map",
        "int(10) unsigned|bigint|map",
        "bigint(20)|bigint|map",
        "bigint(20) unsigned|numeric(20,0)|map",
        "decimal(10,2)|numeric(10,2)|map",
        "decimal(65,30)|numeric(65,30)|map",
        "float|real|map",
        "float(30)|double precision|map",
        "double|double precision|map",
        "bit(8)|bytea|map",
        "char(10)|character varying(10)|cast",
        "varchar(160)|character varying(160)|map",
        "varchar(160) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci|character varying(160)|map",
        "tinytext|text|map",
        "text|text|map",
        "mediumtext|text|map",
        "longtext|text|map",
        "binary(16)|bytea|map",
        "varbinary(255)|bytea|map",
        "tinyblob|bytea|map",
        "blob|bytea|map",
        "mediumblob|bytea|map",
        "longblob|bytea|map",
        "date|date|map",
        // the source's fractional digits, 0 when none (MySQL's default, PostgreSQL's is 6): the
        // target rounds a value written there after a switch to what the way back can hold
        "datetime|timestamp(0)|map",
        "datetime(0)|timestamp(0)|map",
        "datetime(3)|timestamp(3)|map",
        "timestamp|timestamptz(0)|map",
        "timestamp(6)|timestamptz(6)|map",
        "time|time(0)|map",
        "time(2)|time(2)|map",
        "year(4)|smallint|map",
        "json|jsonb|map",
        "enum('G','PG','R')|text|cast",
        "set('Trailers','Commentaries')|text[]|cast",
        "uuid|uuid|map",
        "geometry|geometry|map",
        "point|point|map",
      })
  void mariaDbCatalogue(String nativeType, String target, String disposition) {
    SourceTypeMapper.Target t =
        SourceTypeMapper.forEngine("mariadb").map(mariaColumn(nativeType), false);
    assertEquals(target, t.type(), nativeType);
    assertEquals(Disposition.fromKey(disposition), t.disposition(), nativeType);
    assertEquals(TargetType.parse(target).canonical(), t.canonical(), "canonical of " + target);
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "INTEGER|bigint|map",
        "TINYINT|bigint|map",
        "BIGINT|bigint|map",
        "REAL|double precision|map",
        "DOUBLE|double precision|map",
        "FLOAT|double precision|map",
        "TEXT|text|map",
        "CLOB|text|map",
        "NVARCHAR(160)|character varying(160)|map",
        "VARCHAR(40)|character varying(40)|map",
        "CHARACTER(20)|character varying(20)|map",
        "NUMERIC(10,2)|numeric(10,2)|map",
        "DECIMAL(10)|numeric(10,0)|map",
        "NUMERIC|numeric|map",
        "BLOB|bytea|map",
        "BOOLEAN|boolean|map",
        "DATE|date|cast",
        "DATETIME|timestamp|map",
        "TIMESTAMP|timestamp|map",
        "JSON|jsonb|map",
      })
  void sqliteCatalogue(String nativeType, String target, String disposition) {
    Column c =
        Column.builder("c", nativeType, SQLITE.canonicalType(nativeType))
            .position(1)
            .nullable(true)
            .length(lengthOf(nativeType, SQLITE.canonicalType(nativeType)))
            .precision(precisionOf(nativeType, SQLITE.canonicalType(nativeType)))
            .scale(scaleOf(nativeType, SQLITE.canonicalType(nativeType)))
            .build();
    SourceTypeMapper.Target t = SourceTypeMapper.forEngine("sqlite").map(c, false);
    assertEquals(target, t.type(), nativeType);
    assertEquals(Disposition.fromKey(disposition), t.disposition(), nativeType);
    assertEquals(TargetType.parse(target).canonical(), t.canonical(), "canonical of " + target);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {"geometry", "point", "polygon"})
  void spatialTypesAreUnsupportedUntilAnOverrideDecides(String nativeType) {
    SourceTypeMapper.Target t =
        SourceTypeMapper.forEngine("mariadb").map(mariaColumn(nativeType), false);
    assertEquals(CanonicalType.UNSUPPORTED, t.canonical());
  }

  @ParameterizedTest(name = "{0} default {1} → {2}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      nullValues = "-",
      value = {
        "int(11)|0|0",
        "int(11)|NULL|-",
        "tinyint(1)|1|true",
        "tinyint(1)|0|false",
        "varchar(10)|'it''s'|'it''s'",
        "datetime|current_timestamp()|CURRENT_TIMESTAMP",
        "timestamp|current_timestamp(6)|CURRENT_TIMESTAMP",
        "varchar(10)|uuid()|-",
        "decimal(4,2)|1.50|1.50",
        "varchar(10)|7|'7'",
      })
  void defaultsAreCarriedOnlyWhenPostgresReadsThemAlike(
      String nativeType, String expression, String expected) {
    Column c = withDefault(mariaColumn(nativeType), expression);
    assertEquals(expected, SourceTypeMapper.forEngine("mariadb").map(c, false).defaultValue());
  }

  @org.junit.jupiter.api.Test
  void autoIncrementBecomesAnIdentityWithoutDefault() {
    Column c = mariaColumn("int(11)");
    Column auto =
        Column.builder("id", "int(11)", CanonicalType.INTEGER).position(1).identity(true).build();
    SourceTypeMapper.Target t = SourceTypeMapper.forEngine("mariadb").map(auto, false);
    assertEquals(true, t.identity());
    assertEquals(null, t.defaultValue());
    assertEquals(false, SourceTypeMapper.forEngine("mariadb").map(c, false).identity());
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {"btree|btree", "BTREE|btree", "hash|btree", "fulltext|-", "spatial|-"})
  void mariaDbIndexMethods(String method, String expected) {
    assertEquals(
        java.util.Optional.ofNullable(expected),
        SourceTypeMapper.forEngine("mariadb").indexMethod(method));
    assertEquals(
        java.util.Optional.of(method),
        SourceTypeMapper.forEngine("postgresql").indexMethod(method));
  }

  private static Column mariaColumn(String nativeType) {
    CanonicalType type = MARIADB.canonicalType(nativeType);
    return Column.builder("c", nativeType, type)
        .position(1)
        .nullable(true)
        .length(lengthOf(nativeType, type))
        .precision(precisionOf(nativeType, type))
        .scale(scaleOf(nativeType, type))
        .build();
  }

  private static Column withDefault(Column c, String expression) {
    return Column.builder(c.name(), c.nativeType(), c.type())
        .position(c.position())
        .nullable(c.nullable())
        .defaultExpression(expression)
        .length(c.length())
        .precision(c.precision())
        .scale(c.scale())
        .identity(c.identity())
        .build();
  }

  private static Integer lengthOf(String nativeType, CanonicalType type) {
    return type.isText() ? firstArg(nativeType) : null;
  }

  private static Integer precisionOf(String nativeType, CanonicalType type) {
    if (type != CanonicalType.DECIMAL) {
      return null;
    }
    return nativeType.toLowerCase().startsWith("bigint")
        ? Integer.valueOf(20)
        : firstArg(nativeType);
  }

  private static Integer scaleOf(String nativeType, CanonicalType type) {
    if (type != CanonicalType.DECIMAL || firstArg(nativeType) == null) {
      return nativeType.toLowerCase().startsWith("bigint") ? 0 : null;
    }
    int comma = nativeType.indexOf(',');
    return comma < 0
        ? 0
        : Integer.valueOf(nativeType.substring(comma + 1, nativeType.indexOf(')')).trim());
  }

  private static Integer firstArg(String nativeType) {
    int open = nativeType.indexOf('(');
    if (open < 0 || nativeType.toLowerCase().startsWith("enum") || nativeType.startsWith("set")) {
      return null;
    }
    String args = nativeType.substring(open + 1, nativeType.indexOf(')'));
    return Integer.valueOf(args.split(",")[0].trim());
  }
}
