package io.migrationstudio.core.cutover.reverse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.cutover.reverse.MappingInversion.Finding;
import io.migrationstudio.core.cutover.reverse.MappingInversion.Severity;
import io.migrationstudio.core.cutover.reverse.MappingInversion.Width;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.schema.CanonicalType;
import java.util.List;
import org.junit.jupiter.api.Test;

class MappingInversionTest {
  private static ColumnMapping column(
      String source, String target, Disposition d, String sourceType, String type) {
    return ColumnMapping.builder()
        .source(source)
        .target(target)
        .disposition(d)
        .sourceType(sourceType)
        .type(type)
        .canonical(CanonicalType.TEXT)
        .nullable(true)
        .build();
  }

  private static MappingDocument mapping(String engine, TableMapping... tables) {
    return new MappingDocument(1, "identity", engine, "app", "public", List.of(tables), null);
  }

  private static TableMapping table(String source, String target, ColumnMapping... columns) {
    return new TableMapping(
        source, target, null, List.of("id"), List.of(columns), null, null, null);
  }

  private static final ColumnMapping ID =
      ColumnMapping.builder()
          .source("id")
          .target("id")
          .disposition(Disposition.MAP)
          .sourceType("serial")
          .type("integer")
          .canonical(CanonicalType.INTEGER)
          .identity(true)
          .build();

  @Test
  void renamesAndTypesAreTurnedRoundAndColumnsWithoutAnInverseLeftOut() {
    MappingDocument inverse =
        MappingInversion.invert(
            mapping(
                "postgresql",
                table(
                    "customers",
                    "clients",
                    ID,
                    column("name", "full_name", Disposition.MAP, "varchar(40)", "text"),
                    column("legacy", null, Disposition.DROP, "text", null),
                    column(null, "tag", Disposition.DEFAULT, null, "text"))));
    assertEquals("public", inverse.sourceSchema());
    assertEquals("app", inverse.targetSchema());
    TableMapping t = inverse.tables().get(0);
    assertEquals("clients", t.source());
    assertEquals("customers", t.target());
    assertEquals(List.of("id"), t.primaryKey());
    assertEquals(
        List.of("id->id integer/integer MAP", "full_name->name text/varchar(40) CAST"),
        t.columns().stream()
            .map(
                c ->
                    c.source()
                        + "->"
                        + c.target()
                        + " "
                        + c.sourceType()
                        + "/"
                        + c.type()
                        + " "
                        + c.disposition())
            .toList());
  }

  @Test
  void findingsSayWhatTheWayBackLosesOrRefuses() {
    List<Finding> findings =
        MappingInversion.findings(
            mapping(
                "postgresql",
                table(
                    "t",
                    "t",
                    ID,
                    column("wide", "wide", Disposition.CAST, "integer", "bigint"),
                    column("narrow", "narrow", Disposition.CAST, "numeric(12,4)", "numeric(10,2)"),
                    column("odd", "odd", Disposition.CAST, "text", "jsonb"),
                    column("x", "x", Disposition.TRANSFORM, "text", "text"),
                    column("gone", null, Disposition.DROP, "text", null),
                    column(null, "extra", Disposition.DERIVE, null, "text")),
                new TableMapping(
                    "keyless", "keyless", null, List.of(), List.of(ID), null, null, null)));
    assertEquals(
        List.of(
            "WARNING t.wide",
            "BLOCKING t.narrow",
            "BLOCKING t.odd",
            "BLOCKING t.x",
            "WARNING t.gone",
            "WARNING t.extra",
            "BLOCKING keyless.null"),
        findings.stream().map(f -> f.severity() + " " + f.table() + "." + f.column()).toList());
    MigrationException e =
        assertThrows(
            MigrationException.class,
            () ->
                MappingInversion.invert(
                    mapping(
                        "postgresql",
                        table(
                            "t",
                            "t",
                            ID,
                            column("x", "x", Disposition.TRANSFORM, "text", "text")))));
    assertEquals(ErrorCode.INVALID_ARTIFACT, e.code());
    assertTrue(e.getMessage().contains("t.x"), e.getMessage());
  }

  @Test
  void aSourceOtherThanPostgresqlOrMariaDbHasNoApplier() {
    List<Finding> findings = MappingInversion.findings(mapping("sqlite", table("t", "t", ID)));
    assertEquals(Severity.BLOCKING, findings.get(0).severity());
    assertEquals("*", findings.get(0).table());
  }

  @Test
  void aMariaDbSourceIsInvertedIntoItsOwnTypesWithWideningsWarned() {
    MappingDocument forward =
        mapping(
            "mariadb",
            table(
                "t",
                "t",
                column("id", "id", Disposition.MAP, "int(11)", "integer"),
                column("n", "n", Disposition.CAST, "int(10) unsigned", "bigint"),
                column("k", "k", Disposition.CAST, "enum('a','b')", "text"),
                column("v", "v", Disposition.MAP, "varchar(40)", "character varying(40)")));
    List<Finding> findings = MappingInversion.findings(forward);
    assertEquals(
        List.of("n", "k"), findings.stream().map(Finding::column).toList(), findings.toString());
    assertTrue(findings.stream().noneMatch(Finding::blocking), findings.toString());
    MappingDocument inverse = MappingInversion.invert(forward);
    assertEquals("app", inverse.targetSchema(), "the MariaDB database the forward read");
    ColumnMapping n = inverse.tables().get(0).bySource("n").orElseThrow();
    assertEquals("int(10) unsigned", n.type());
    assertEquals(Disposition.CAST, n.disposition());
    assertEquals(
        Disposition.MAP, inverse.tables().get(0).bySource("id").orElseThrow().disposition());
  }

  @Test
  void mariaDbTypeChangesAreRankedByRangeLengthAndPrecision() {
    String[][] cases = {
      {"int(11)", "integer", "SAME"},
      {"int", "bigint", "WIDER"},
      {"int(10) unsigned", "bigint", "WIDER"},
      {"int unsigned", "integer", "NARROWER"},
      {"bigint(20)", "bigint", "SAME"},
      {"bigint(20) unsigned", "numeric(20)", "WIDER"},
      {"bigint unsigned", "bigint", "NARROWER"},
      {"serial", "numeric(20,0)", "WIDER"},
      {"tinyint(4)", "smallint", "WIDER"},
      {"tinyint(1)", "boolean", "SAME"},
      {"bit(1)", "boolean", "SAME"},
      {"smallint(6)", "smallint", "SAME"},
      {"mediumint(9)", "integer", "WIDER"},
      {"year(4)", "smallint", "WIDER"},
      {"decimal(10,2)", "numeric(10,2)", "SAME"},
      {"decimal(10,2) unsigned", "numeric(10,2)", "WIDER"},
      {"decimal(10,2)", "numeric(8,2)", "NARROWER"},
      {"float", "real", "SAME"},
      {"double", "double precision", "SAME"},
      {"double", "real", "NARROWER"},
      {"varchar(40)", "character varying(40)", "SAME"},
      {"char(3)", "varchar(3)", "SAME"},
      {"varchar(40)", "text", "WIDER"},
      {"varchar(40)", "varchar(20)", "NARROWER"},
      {"longtext", "text", "SAME"},
      {"text", "text", "WIDER"},
      {"enum('a','b')", "text", "WIDER"},
      {"set('a','b')", "text[]", "WIDER"},
      {"varbinary(16)", "bytea", "WIDER"},
      {"longblob", "bytea", "SAME"},
      {"date", "date", "SAME"},
      {"datetime", "timestamp", "WIDER"}, // microseconds written on the target
      // the catalogue's pairs keep the source's fractional digits: exact (timestamp: its range)
      {"datetime", "timestamp(0)", "SAME"},
      {"datetime(3)", "timestamp(3)", "SAME"},
      {"timestamp", "timestamptz(0)", "WIDER"},
      {"time", "time(0)", "SAME"},
      {"time(2)", "time(2)", "SAME"},
      {"datetime(6)", "timestamp(6)", "SAME"},
      {"datetime(6)", "timestamp(3)", "NARROWER"},
      {"datetime", "timestamptz", "OTHER"},
      {"timestamp(3)", "timestamptz(3)", "WIDER"},
      {"time", "time", "WIDER"},
      {"time(6)", "time(6)", "SAME"},
      {"json", "jsonb", "SAME"},
      {"uuid", "uuid", "SAME"},
      {"geometry", "bytea", "WIDER"}, // the stored bytes, back as they are
      {"point", "bytea", "WIDER"},
      {"geometry", "text", "OTHER"},
      {"int", "text", "OTHER"},
    };
    for (String[] c : cases) {
      assertEquals(Width.valueOf(c[2]), MariaDbInversion.compare(c[0], c[1]), c[0] + " -> " + c[1]);
    }
  }

  @Test
  void postgresTextComesBackAsMariaDbValues() {
    assertEquals(
        "2030-01-01 12:00:00.123000", MariaDbReverseApplier.utc("2030-01-01 15:00:00.123+03"));
    assertEquals(
        "2030-01-01 00:00:00.000000", MariaDbReverseApplier.utc("2029-12-31 18:30:00-05:30"));
    assertEquals("2024-05-01 07:00:00.000000", MariaDbReverseApplier.utc("2024-05-01 07:00:00+00"));
    assertThrows(IllegalArgumentException.class, () -> MariaDbReverseApplier.utc("infinity"));
    assertThrows(
        IllegalArgumentException.class,
        () -> MariaDbReverseApplier.utc("0044-03-15 12:00:00+00 BC"));
    assertEquals(List.of(), MariaDbReverseApplier.arrayMembers("{}"));
    assertEquals(List.of("x", "z"), MariaDbReverseApplier.arrayMembers("{x,z}"));
    assertEquals(
        List.of("a b", "c\"d", "e"), MariaDbReverseApplier.arrayMembers("{\"a b\",\"c\\\"d\",e}"));
  }

  @Test
  void typeChangesAreRankedAfterFoldingAliases() {
    String[][] cases = {
      {"int4", "integer", "SAME"},
      {"serial", "integer", "SAME"},
      {"bigserial", "int8", "SAME"},
      {"character varying(40)", "varchar(40)", "SAME"},
      {"timestamp without time zone", "timestamp", "SAME"},
      {"timestamp(3) without time zone", "timestamp(6)", "WIDER"},
      {"timestamptz", "timestamp with time zone", "SAME"},
      {"smallint", "bigint", "WIDER"},
      {"bigint", "integer", "NARROWER"},
      {"integer", "numeric", "WIDER"},
      {"integer", "numeric(10,0)", "OTHER"},
      {"real", "float8", "WIDER"},
      {"numeric(10,2)", "numeric(12,2)", "WIDER"},
      {"numeric(10,2)", "numeric(10,4)", "OTHER"},
      {"numeric(12,4)", "numeric(10,2)", "NARROWER"},
      {"numeric", "numeric(10,2)", "NARROWER"},
      {"varchar(10)", "text", "WIDER"},
      {"text", "varchar(10)", "NARROWER"},
      {"char(3)", "varchar(3)", "OTHER"},
      {"text", "jsonb", "OTHER"},
    };
    for (String[] c : cases) {
      assertEquals(Width.valueOf(c[2]), MappingInversion.compare(c[0], c[1]), c[0] + " -> " + c[1]);
    }
  }
}
