package io.migrationstudio.core.dialect.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.migrationstudio.core.dialect.sqlite.SqliteTypes.Affinity;
import io.migrationstudio.core.schema.CanonicalType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqliteTypesTest {

  /** The examples table of section 3.1.1 of the SQLite datatype documentation. */
  @Test
  void affinityFollowsTheDocumentedExamples() {
    Map<String, Affinity> examples =
        Map.ofEntries(
            Map.entry("INT", Affinity.INTEGER),
            Map.entry("INTEGER", Affinity.INTEGER),
            Map.entry("TINYINT", Affinity.INTEGER),
            Map.entry("UNSIGNED BIG INT", Affinity.INTEGER),
            Map.entry("INT8", Affinity.INTEGER),
            Map.entry("CHARACTER(20)", Affinity.TEXT),
            Map.entry("VARYING CHARACTER(255)", Affinity.TEXT),
            Map.entry("NATIVE CHARACTER(70)", Affinity.TEXT),
            Map.entry("NVARCHAR(100)", Affinity.TEXT),
            Map.entry("TEXT", Affinity.TEXT),
            Map.entry("CLOB", Affinity.TEXT),
            Map.entry("BLOB", Affinity.BLOB),
            Map.entry("", Affinity.BLOB),
            Map.entry("REAL", Affinity.REAL),
            Map.entry("DOUBLE", Affinity.REAL),
            Map.entry("DOUBLE PRECISION", Affinity.REAL),
            Map.entry("FLOAT", Affinity.REAL),
            Map.entry("NUMERIC", Affinity.NUMERIC),
            Map.entry("DECIMAL(10,5)", Affinity.NUMERIC),
            Map.entry("BOOLEAN", Affinity.NUMERIC),
            Map.entry("DATE", Affinity.NUMERIC),
            Map.entry("DATETIME", Affinity.NUMERIC),
            // the documented surprises: rule order decides
            Map.entry("FLOATING POINT", Affinity.INTEGER),
            Map.entry("STRING", Affinity.NUMERIC),
            Map.entry("CHARINT", Affinity.INTEGER));
    examples.forEach((type, affinity) -> assertEquals(affinity, SqliteTypes.affinity(type), type));
  }

  @Test
  void canonicalTypesKeepLengthPrecisionAndScale() {
    assertEquals(CanonicalType.BIGINT, SqliteTypes.canonical("integer"));
    assertEquals(CanonicalType.BIGINT, SqliteTypes.canonical("TINYINT(1)"));
    assertEquals(CanonicalType.VARCHAR, SqliteTypes.canonical("NVARCHAR(120)"));
    assertEquals(120, SqliteTypes.length("NVARCHAR(120)"));
    assertEquals(20, SqliteTypes.length("character(20)"));
    assertEquals(CanonicalType.TEXT, SqliteTypes.canonical("text"));
    assertNull(SqliteTypes.length("text"));
    assertEquals(CanonicalType.TEXT, SqliteTypes.canonical("CLOB"));
    assertEquals(CanonicalType.BYTES, SqliteTypes.canonical("BLOB"));
    assertEquals(CanonicalType.UNSUPPORTED, SqliteTypes.canonical(""));
    assertEquals(CanonicalType.UNSUPPORTED, SqliteTypes.canonical(null));
    assertEquals(CanonicalType.DOUBLE, SqliteTypes.canonical("real"));
    assertEquals(CanonicalType.DOUBLE, SqliteTypes.canonical("FLOAT"));
    assertEquals(CanonicalType.DOUBLE, SqliteTypes.canonical("double precision"));
    assertEquals(CanonicalType.DECIMAL, SqliteTypes.canonical("NUMERIC(10,2)"));
    assertEquals(10, SqliteTypes.precision("NUMERIC(10,2)"));
    assertEquals(2, SqliteTypes.scale("NUMERIC(10,2)"));
    assertEquals(0, SqliteTypes.scale("decimal(7)"));
    assertNull(SqliteTypes.precision("DECIMAL"));
    assertNull(SqliteTypes.scale("DECIMAL"));
    assertEquals(CanonicalType.DECIMAL, SqliteTypes.canonical("MONEY"));
    assertEquals(CanonicalType.BOOLEAN, SqliteTypes.canonical("BOOLEAN"));
    assertEquals(CanonicalType.BOOLEAN, SqliteTypes.canonical("bool"));
    assertEquals(CanonicalType.TIMESTAMP, SqliteTypes.canonical("DATETIME"));
    assertEquals(CanonicalType.TIMESTAMP, SqliteTypes.canonical("date"));
    assertEquals(CanonicalType.TIMESTAMP, SqliteTypes.canonical("TIMESTAMP(6)"));
    assertEquals(CanonicalType.JSON, SqliteTypes.canonical("json"));
    assertNull(SqliteTypes.precision("NVARCHAR(120)"), "length is not precision");
    assertNull(SqliteTypes.length("NUMERIC(10,2)"), "precision is not length");
  }
}
