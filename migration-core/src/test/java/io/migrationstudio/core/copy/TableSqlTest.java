package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.schema.CanonicalType;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableSqlTest {
  private static final PostgresDialect PG = new PostgresDialect();

  private static ColumnMapping column(
      String source, String target, Disposition d, String type, String def, String expression) {
    return ColumnMapping.builder()
        .source(source)
        .target(target)
        .disposition(d)
        .sourceType(source == null ? null : "integer")
        .type(type)
        .canonical(CanonicalType.INTEGER)
        .nullable(true)
        .defaultValue(def)
        .expression(expression)
        .build();
  }

  private static TableSql sql(List<String> pk, ColumnMapping... columns) {
    TableMapping t =
        new TableMapping(
            "Order Items", "order_items", null, pk, List.of(columns), null, null, null);
    return new TableSql(
        PG,
        PG,
        new MappingDocument(1, "snake_case", "postgresql", "Src", "tgt", List.of(t), null),
        t);
  }

  /**
   * An inheritance parent is read {@code ONLY} on both sides by every query that reads its rows
   * (copy, counts, aggregates, key lookups, range deletes); a plain table is read as it is; the
   * copy still writes into the table itself (COPY has no ONLY).
   */
  @Test
  void anInheritanceParentIsReadOnlyOnBothSides() {
    ColumnMapping id = column("id", "id", Disposition.MAP, "integer", null, null);
    TableMapping plain =
        new TableMapping("ledger", "ledger", null, List.of("id"), List.of(id), null, null, null);
    TableMapping parent = plain.withInheritanceParent(true);
    MappingDocument doc =
        new MappingDocument(1, "identity", "postgresql", "Src", "tgt", List.of(parent), null);
    TableSql only = new TableSql(PG, PG, doc, parent);
    ChunkRange all = new ChunkRange(0, null, null);
    for (String q :
        List.of(
            only.sourceSelect(all),
            only.sourceAggregate("count(*)", all),
            only.targetAggregate("count(*)", all),
            only.sourceByKey(),
            only.sourceByKeys(null, 2),
            only.sourceKeys(),
            only.sourceScan(List.of()),
            only.sourcePreview(List.of(), 5),
            only.sourceCount(),
            only.targetCount(),
            only.targetSelect(all),
            only.targetByKey(),
            only.targetByKeys(null, 2),
            only.targetDelete(all),
            BinaryCopyPipe.copyOut(only, all))) {
      assertTrue(
          q.contains("FROM ONLY \"Src\".\"ledger\"") || q.contains("FROM ONLY \"tgt\".\"ledger\""),
          q);
    }
    assertEquals("COPY \"tgt\".\"ledger\" (\"id\") FROM STDIN", only.copyIn());
    assertEquals("\"Src\".\"ledger\"", only.sourceTable(), "catalog lookups keep the name");
    TableSql plainSql = new TableSql(PG, PG, doc, plain);
    assertEquals("SELECT count(*) FROM \"Src\".\"ledger\"", plainSql.sourceCount());
    assertEquals("SELECT count(*) FROM \"tgt\".\"ledger\"", plainSql.targetCount());
    assertTrue(parent.written().inheritanceParent(), "the copy's view of the table keeps the mark");
  }

  /**
   * Across engines a MariaDB datetime/timestamp/time is read as the server's text wherever a reader
   * converts or shows it (Connector/J's text drops a fraction's leading zeros); other columns and
   * the ordering stay plain.
   */
  @Test
  void mariaDbTemporalColumnsAreReadAsTheServersText() {
    io.migrationstudio.core.dialect.mariadb.MariaDbDialect maria =
        new io.migrationstudio.core.dialect.mariadb.MariaDbDialect();
    ColumnMapping at =
        ColumnMapping.builder()
            .source("at")
            .target("at")
            .disposition(Disposition.MAP)
            .sourceType("datetime(3)")
            .type("timestamp(3)")
            .canonical(CanonicalType.TIMESTAMP)
            .build();
    ColumnMapping ts =
        ColumnMapping.builder()
            .source("ts")
            .target("ts")
            .disposition(Disposition.MAP)
            .sourceType("timestamp(2)")
            .type("timestamptz(2)")
            .canonical(CanonicalType.TIMESTAMPTZ)
            .nullable(true)
            .build();
    ColumnMapping tm =
        ColumnMapping.builder()
            .source("tm")
            .target("tm")
            .disposition(Disposition.DROP)
            .sourceType("time(4)")
            .canonical(CanonicalType.TIME)
            .nullable(true)
            .build();
    ColumnMapping n =
        ColumnMapping.builder()
            .source("n")
            .target("n")
            .disposition(Disposition.MAP)
            .sourceType("int")
            .type("integer")
            .canonical(CanonicalType.INTEGER)
            .nullable(true)
            .build();
    ColumnMapping later =
        ColumnMapping.builder()
            .target("later")
            .disposition(Disposition.TRANSFORM)
            .type("time(4)")
            .canonical(CanonicalType.TIME)
            .nullable(true)
            .expression("tm")
            .build();
    TableMapping t =
        new TableMapping(
            "m", "m", null, List.of("at"), List.of(at, ts, tm, n, later), null, null, null);
    TableSql sql =
        new TableSql(
            maria,
            PG,
            new MappingDocument(1, "snake_case", "postgresql", "s", "public", List.of(t), null),
            t);
    assertEquals(
        "SELECT CAST(`at` AS CHAR), CAST(`ts` AS CHAR), `n`, CAST(`tm` AS CHAR) FROM `s`.`m`"
            + " ORDER BY `at`",
        sql.sourceSelect(new ChunkRange(0, null, null)));
    assertEquals(
        "SELECT CAST(`at` AS CHAR), `n`, CAST(`at` AS CHAR), CAST(`ts` AS CHAR), `n`,"
            + " CAST(`tm` AS CHAR) FROM `s`.`m` ORDER BY `at`, `n`",
        sql.sourceScan(List.of("at", "n")));
    assertEquals("CAST(`at` AS CHAR)", sql.sourceKeyValue(at));
    assertEquals("SELECT CAST(`at` AS CHAR) FROM `s`.`m` ORDER BY `at`", sql.sourceKeys());
    // the validation's source count scans the table, not a secondary index
    // (MariaDbCatalog#countSql)
    assertEquals("SELECT count(*) FROM `s`.`m` USE INDEX ()", sql.sourceCount());
    assertEquals("SELECT count(*) FROM \"public\".\"m\"", sql.targetCount());
  }

  @Test
  void sourceColumnsAreProjectedAndExpressionInputsReadRawAfterThem() {
    TableSql sql =
        sql(
            List.of("select"),
            column("select", "select", Disposition.MAP, "integer", null, null),
            column("naïve \"q\"", "naive_q", Disposition.CAST, "bigint", null, null),
            column("x", "x2", Disposition.TRANSFORM, "integer", null, "x * 2"),
            column(null, "one", Disposition.DEFAULT, "integer", "1", null),
            column(null, "by_expr", Disposition.DEFAULT, "integer", null, "40 + 2"),
            column(null, "nothing", Disposition.DEFAULT, "integer", null, null),
            column(null, "sum", Disposition.DERIVE, "integer", null, "row['Gone z'] + x"),
            ColumnMapping.builder()
                .source("Gone z")
                .disposition(Disposition.DROP)
                .sourceType("integer")
                .nullable(true)
                .reason("read by sum only")
                .build());
    // no expression is spliced into SQL: the raw inputs (a dropped column too) follow the
    // projections, sorted; an expression reading the row map may read any column, so all are read
    assertEquals(
        "SELECT \"select\", CAST(\"naïve \"\"q\"\"\" AS bigint), \"Gone z\","
            + " \"naïve \"\"q\"\"\", \"select\", \"x\""
            + " FROM \"Src\".\"Order Items\" WHERE \"select\" >= CAST(? AS integer)"
            + " ORDER BY \"select\"",
        sql.sourceSelect(new ChunkRange(1, "10", null)));
    assertEquals(List.of("Gone z", "naïve \"q\"", "select", "x"), sql.expressionInputs());
    assertEquals(java.util.Set.of("x2", "one", "by_expr", "sum"), sql.expressions().keySet());
    assertEquals(List.of("x"), List.copyOf(sql.expressions().get("x2").columns()));
  }

  @Test
  void anExpressionThatDoesNotTypeCheckIsRefusedNamingTableColumnAndExpression() {
    MigrationException e =
        assertThrows(
            MigrationException.class,
            () ->
                sql(
                    List.of(),
                    column("x", "x", Disposition.MAP, "integer", null, null),
                    column(null, "bad", Disposition.DERIVE, "integer", null, "x + 'a'")));
    assertEquals(ErrorCode.INVALID_ARTIFACT, e.code());
    assertTrue(
        e.getMessage().contains("\"Order Items\" column \"bad\": expression 'x + 'a''"),
        e.getMessage());
  }

  @Test
  void thePreviewIsTheCopyProjectionBesideTheRawSourceColumns() {
    ColumnMapping key = column("Id", "id", Disposition.MAP, "integer", null, null);
    ColumnMapping cast = column("Amount", "amount", Disposition.CAST, "numeric(10,1)", null, null);
    assertEquals(
        "SELECT \"Id\", \"Amount\", \"Gone\", \"Id\", CAST(\"Amount\" AS numeric(10,1))"
            + " FROM \"Src\".\"Order Items\" ORDER BY \"Id\" LIMIT 3",
        sql(List.of("id"), key, cast).sourcePreview(List.of("Id", "Amount", "Gone"), 3));
    assertEquals(
        "SELECT \"Id\", \"Amount\", \"Id\", CAST(\"Amount\" AS numeric(10,1))"
            + " FROM \"Src\".\"Order Items\" ORDER BY 1, 2 LIMIT 5",
        sql(List.of(), key, cast).sourcePreview(List.of("Id", "Amount"), 5));
  }

  @Test
  void sameEngineCastsNeverTruncateLengthLimitedTypes() {
    assertEquals("text", TableSql.unboundedIfLengthLimited("character varying(40)"));
    assertEquals("text", TableSql.unboundedIfLengthLimited("VARCHAR (5)"));
    assertEquals("text", TableSql.unboundedIfLengthLimited("char(3)"));
    assertEquals("bit varying", TableSql.unboundedIfLengthLimited("bit(8)"));
    assertEquals("numeric(10,1)", TableSql.unboundedIfLengthLimited("numeric(10,1)"));
    assertEquals("text", TableSql.unboundedIfLengthLimited("text"));
    assertEquals("varchar(5)[]", TableSql.unboundedIfLengthLimited("varchar(5)[]"));
  }
}
