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
    return new ColumnMapping(
        source, target, d, sourceType, type, CanonicalType.TEXT, true, false, null, null, null);
  }

  private static MappingDocument mapping(String engine, TableMapping... tables) {
    return new MappingDocument(1, "identity", engine, "app", "public", List.of(tables), null);
  }

  private static TableMapping table(String source, String target, ColumnMapping... columns) {
    return new TableMapping(
        source, target, null, List.of("id"), List.of(columns), null, null, null);
  }

  private static final ColumnMapping ID =
      new ColumnMapping(
          "id",
          "id",
          Disposition.MAP,
          "serial",
          "integer",
          CanonicalType.INTEGER,
          false,
          true,
          null,
          null,
          null);

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
  void aSourceOtherThanPostgresqlHasNoApplierYet() {
    List<Finding> findings = MappingInversion.findings(mapping("mariadb", table("t", "t", ID)));
    assertEquals(Severity.BLOCKING, findings.get(0).severity());
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
