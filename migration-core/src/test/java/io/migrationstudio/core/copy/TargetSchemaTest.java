package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.SequenceMapping;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.SchemaScript;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetSchemaTest {
  static final String HOSTILE_TABLE = "Order \"Details\"; DROP TABLE x; --";

  static MappingDocument hostileMapping() {
    TableMapping parent =
        new TableMapping(
            "Parent",
            "Parent",
            null,
            List.of("id"),
            List.of(
                ColumnMapping.mapped("id", "integer", CanonicalType.INTEGER)
                    .identity(true)
                    .build()),
            null,
            null,
            null);
    TableMapping child =
        new TableMapping(
            HOSTILE_TABLE,
            HOSTILE_TABLE,
            null,
            List.of("Key"),
            List.of(
                ColumnMapping.mapped("Key", "bigint", CanonicalType.BIGINT).build(),
                ColumnMapping.mapped("select", "text", CanonicalType.TEXT).nullable(true).build(),
                ColumnMapping.mapped("naïve 列", "integer", CanonicalType.INTEGER)
                    .nullable(true)
                    .build()),
            List.of(new KeyConstraint("uq 'select'", List.of("select"))),
            List.of(
                new ForeignKey(
                    "fk $studio_ddl$", List.of("naïve 列"), "Parent", List.of("id"), null, null)),
            List.of(new IndexInfo("ix \"n\"", List.of("naïve 列"), false, "btree", null, null)));
    return new MappingDocument(
        1, "identity", "postgresql", "public", "Tgt Schema", List.of(parent, child), null);
  }

  private static ColumnMapping valueList(String name, String sourceType, String type) {
    return ColumnMapping.builder()
        .source(name)
        .target(name)
        .disposition(Disposition.MAP)
        .sourceType(sourceType)
        .type(type)
        .canonical(CanonicalType.TEXT)
        .nullable(true)
        .build();
  }

  /**
   * A MariaDB enum mapped to text or varchar keeps its members as a CHECK, a set mapped to text[]
   * (or text) a CHECK that every member is allowed; quotes in members are doubled; a PostgreSQL
   * source (whose enum types are carried as types) and a value-mapped enum get none.
   */
  @Test
  void mariaDbEnumAndSetColumnsKeepTheirMembersAsChecks() {
    TableMapping film =
        new TableMapping(
            "film",
            "film",
            null,
            List.of(),
            List.of(
                valueList("rating", "enum('G','PG-13','it''s')", "text"),
                valueList("size", "enum('s','m')", "varchar(1)"),
                valueList("features", "set('Trailers','Deleted Scenes')", "text[]"),
                valueList("flags", "set('a','b')", "text"),
                valueList("as_int", "enum('1','2')", "integer"),
                valueList("plain", "varchar(10)", "text")),
            null,
            null,
            null);
    String sql =
        new TargetSchema(
                new PostgresDialect(),
                new MappingDocument(1, "identity", "mariadb", "db", "public", List.of(film), null))
            .render();
    assertTrue(
        sql.contains(
            "CONSTRAINT \"film_rating_check\" CHECK (\"rating\" IN ('G', 'PG-13', 'it''s'))"),
        sql);
    assertTrue(sql.contains("CONSTRAINT \"film_size_check\" CHECK (\"size\" IN ('s', 'm'))"), sql);
    assertTrue(
        sql.contains(
            "CONSTRAINT \"film_features_check\" CHECK (\"features\" <@"
                + " ARRAY['Trailers', 'Deleted Scenes']::text[])"),
        sql);
    assertTrue(
        sql.contains(
            "CONSTRAINT \"film_flags_check\" CHECK (\"flags\" = '' OR"
                + " string_to_array(\"flags\"::text, ',') <@ ARRAY['a', 'b']::text[])"),
        sql);
    assertFalse(sql.contains("film_as_int_check"), sql);
    assertFalse(sql.contains("film_plain_check"), sql);

    String fromPostgres =
        new TargetSchema(
                new PostgresDialect(),
                new MappingDocument(
                    1, "identity", "postgresql", "public", "public", List.of(film), null))
            .render();
    assertFalse(fromPostgres.contains("_check"), fromPostgres);
    ColumnMapping mapped =
        valueList("rating", "enum('G','PG')", "text")
            .withValueMap(
                java.util.Map.of("G", "general", "PG", "parental"),
                io.migrationstudio.core.mapping.UnmappedPolicy.REJECT);
    String withMap =
        new TargetSchema(
                new PostgresDialect(),
                new MappingDocument(
                    1,
                    "identity",
                    "mariadb",
                    "db",
                    "public",
                    List.of(film.withColumns(List.of(mapped))),
                    null))
            .render();
    assertFalse(withMap.contains("_check"), withMap);
    assertEquals(
        "x".repeat(57) + "_check", TargetSchema.cut("x".repeat(70), "_check"), "63 bytes at most");
  }

  /**
   * A column with {@code on_update} gets a BEFORE UPDATE trigger after the load (phase 4), named
   * after table and column, that writes the expression only when the update left the column as it
   * was and changed the row; other columns get none.
   */
  @Test
  void anOnUpdateColumnGetsATriggerAfterTheLoad() {
    TableMapping film =
        new TableMapping(
            "film",
            "film",
            null,
            List.of(),
            List.of(
                valueList("title", "varchar(10)", "text"),
                ColumnMapping.builder()
                    .source("last_update")
                    .target("last_update")
                    .disposition(Disposition.MAP)
                    .sourceType("timestamp")
                    .type("timestamptz")
                    .canonical(CanonicalType.TIMESTAMPTZ)
                    .defaultValue("CURRENT_TIMESTAMP")
                    .build()
                    .withOnUpdate("CURRENT_TIMESTAMP")),
            null,
            null,
            null);
    TargetSchema schema =
        new TargetSchema(
            new PostgresDialect(),
            new MappingDocument(1, "identity", "mariadb", "db", "public", List.of(film), null));
    assertEquals(
        List.of(
            "CREATE OR REPLACE FUNCTION \"public\".\"film_last_update_on_update\"() RETURNS trigger"
                + " LANGUAGE plpgsql AS $studio_ddl$\nBEGIN\n"
                + "  IF coalesce(current_setting('studio.applying', true), '') <> 'on'"
                + " AND NEW.\"last_update\" IS NOT DISTINCT FROM OLD.\"last_update\""
                + " AND NEW::text IS DISTINCT FROM OLD::text THEN\n"
                + "    NEW.\"last_update\" := CURRENT_TIMESTAMP;\n  END IF;\n  RETURN NEW;\nEND\n"
                + "$studio_ddl$",
            "DROP TRIGGER IF EXISTS \"film_last_update_on_update\" ON \"public\".\"film\"",
            "CREATE TRIGGER \"film_last_update_on_update\" BEFORE UPDATE ON \"public\".\"film\""
                + " FOR EACH ROW EXECUTE FUNCTION \"public\".\"film_last_update_on_update\"()"),
        schema.onUpdateTriggers());
    String sql = schema.render();
    assertTrue(sql.indexOf("CREATE TRIGGER") > sql.indexOf("-- Phase 4"), "after the load: " + sql);
    assertTrue(schema.hasPostData());
    assertFalse(
        new TargetSchema(new PostgresDialect(), hostileMapping()).hasPostData(),
        "no on_update column, nothing carried: no phase 4");
  }

  @Test
  void renderIsByteStableAndQuotesEveryIdentifier() {
    TargetSchema schema = new TargetSchema(new PostgresDialect(), hostileMapping());
    String sql = schema.render();
    assertEquals(sql, new TargetSchema(new PostgresDialect(), hostileMapping()).render());
    assertTrue(sql.endsWith(";\n"), "one trailing newline");
    assertTrue(sql.contains("\"Tgt Schema\".\"Order \"\"Details\"\"; DROP TABLE x; --\""));
    assertTrue(sql.contains("\"id\" integer GENERATED BY DEFAULT AS IDENTITY NOT NULL"));
    assertTrue(sql.contains("CONSTRAINT \"uq 'select'\" UNIQUE (\"select\")"));
    assertTrue(sql.contains("conname = 'uq ''select'''"));
    assertTrue(sql.contains("NOT VALID"));
    assertTrue(sql.contains("VALIDATE CONSTRAINT \"fk $studio_ddl$\""));
    assertTrue(sql.contains("DO $studio_ddl1$"), "a DO tag that the body does not contain");
    assertTrue(sql.contains("CREATE INDEX IF NOT EXISTS \"ix \"\"n\"\"\""));
    assertTrue(
        sql.contains("SELECT setval(pg_get_serial_sequence('\"Tgt Schema\".\"Parent\"', 'id')"));
    assertTrue(sql.contains("CREATE TABLE IF NOT EXISTS \"studio\".chunk_ledger"));
  }

  @Test
  void carriedObjectsSurroundTheTablesAndAPartitionedTableTakesItsKeyWithoutUsingIndex() {
    SchemaScript carried =
        new SchemaScript(
            List.of(
                new SchemaScript.Statement(
                    "type", "public.mood", "CREATE TYPE public.mood AS ENUM ('a')")),
            java.util.Map.of(HOSTILE_TABLE, "RANGE (\"Key\")"),
            List.of(
                new SchemaScript.Statement(
                    "partition",
                    "public.p1",
                    "CREATE TABLE IF NOT EXISTS public.p1 PARTITION OF x DEFAULT")),
            List.of(new SchemaScript.Statement("trigger", "t", "CREATE TRIGGER t", "a note")),
            List.of(new SchemaScript.NotCarried("aggregate", "public.pct(float8)", "by hand")));
    String sql =
        new TargetSchema(new PostgresDialect(), hostileMapping(), "studio", carried).render();
    int type = sql.indexOf("CREATE TYPE public.mood");
    int table = sql.indexOf("CREATE TABLE IF NOT EXISTS \"Tgt Schema\".\"Order");
    int partition = sql.indexOf("PARTITION OF x DEFAULT");
    int keys = sql.indexOf("-- Phase 2a");
    int trigger = sql.indexOf("CREATE TRIGGER t");
    int sequences = sql.indexOf("-- Phase 3");
    assertTrue(
        0 < type && type < table && table < partition && partition < keys && sequences < trigger,
        sql);
    assertTrue(sql.contains("SET check_function_bodies = false"));
    assertTrue(sql.contains("\n) PARTITION BY RANGE (\"Key\")"), sql);
    assertTrue(sql.contains("PRIMARY KEY (\"Key\")"), "no USING INDEX on the partitioned table");
    assertTrue(sql.contains("-- trigger t: a note\nCREATE TRIGGER t"));
    assertTrue(sql.contains("--   aggregate public.pct(float8): by hand"));
    assertFalse(
        new TargetSchema(new PostgresDialect(), hostileMapping()).render().contains("check_func"),
        "nothing carried: the script is as before");
  }

  private static ColumnMapping key(String source, String target, boolean identity) {
    return ColumnMapping.builder()
        .source(source)
        .target(target)
        .disposition(Disposition.MAP)
        .sourceType("integer")
        .type("integer")
        .canonical(CanonicalType.INTEGER)
        .identity(identity)
        .build();
  }

  @Test
  void identityComesFromTheFlagAloneNotFromSourceTypeOrDefault() {
    ColumnMapping serialLooking =
        ColumnMapping.builder()
            .source("n")
            .target("n")
            .disposition(Disposition.MAP)
            .sourceType("serial")
            .type("integer")
            .canonical(CanonicalType.INTEGER)
            .defaultValue("nextval('n_seq'::regclass)")
            .build();
    TableMapping t =
        new TableMapping(
            "T",
            "t",
            null,
            List.of("id"),
            List.of(key("Id", "id", true), serialLooking),
            null,
            null,
            null);
    String sql =
        new TargetSchema(
                new PostgresDialect(),
                new MappingDocument(
                    1, "snake_case", "postgresql", "public", "public", List.of(t), null))
            .render();
    assertTrue(sql.contains("\"id\" integer GENERATED BY DEFAULT AS IDENTITY NOT NULL"), sql);
    assertTrue(sql.contains("\"n\" integer DEFAULT nextval('n_seq'::regclass) NOT NULL"), sql);
    assertEquals(1, sql.split("AS IDENTITY", -1).length - 1, sql);
    assertEquals(1, sql.split("pg_get_serial_sequence", -1).length - 1, sql);
  }

  @Test
  void sequencesNameTheirColumnByTargetNames() {
    TableMapping orders =
        new TableMapping(
            "Order Items",
            "order_items",
            null,
            List.of("line_id"),
            List.of(key("LineId", "line_id", true), key("Ticket", "ticket", false)),
            null,
            null,
            null);
    List<SequenceMapping> sequences =
        List.of(
            // the identity's own sequence: set through the identity, never created
            new SequenceMapping(
                "Order Items_LineId_seq", "order_items_line_id_seq", "order_items", "line_id"),
            // a sequence feeding a plain column: created and set past that column's keys
            new SequenceMapping("Ticket Seq", "ticket_seq", "order_items", "ticket"),
            // source names do not match anything: the sequence is created but not set
            new SequenceMapping("Other", "other", "Order Items", "Ticket"));
    TargetSchema schema =
        new TargetSchema(
            new PostgresDialect(),
            new MappingDocument(
                1, "snake_case", "postgresql", "public", "tgt", List.of(orders), sequences));
    String sql = schema.render();
    assertFalse(sql.contains("order_items_line_id_seq"), sql);
    assertTrue(sql.contains("CREATE SEQUENCE IF NOT EXISTS \"tgt\".\"ticket_seq\""), sql);
    assertTrue(sql.contains("CREATE SEQUENCE IF NOT EXISTS \"tgt\".\"other\""), sql);
    assertEquals(
        List.of(
            "SELECT setval(pg_get_serial_sequence('\"tgt\".\"order_items\"', 'line_id'),"
                + " COALESCE((SELECT max(\"line_id\") FROM \"tgt\".\"order_items\"), 0) + 1,"
                + " false)",
            "SELECT setval('\"tgt\".\"ticket_seq\"', COALESCE((SELECT max(\"ticket\") FROM"
                + " \"tgt\".\"order_items\"), 0) + 1, false)"),
        schema.sequenceStatements());
  }

  @Test
  void freeStandingSequencesAreCreatedWithTheSourceParametersAndSetToItsValue() {
    SequenceMapping free =
        new SequenceMapping(
            "Global Seq",
            "global_seq",
            null,
            null,
            new io.migrationstudio.core.schema.SequenceOptions(
                "integer", -1, -2, -1000, -1, 20, true));
    TargetSchema schema =
        new TargetSchema(
            new PostgresDialect(),
            new MappingDocument(
                1, "snake_case", "postgresql", "public", "tgt", List.of(), List.of(free)));
    assertTrue(
        schema
            .render()
            .contains(
                "CREATE SEQUENCE IF NOT EXISTS \"tgt\".\"global_seq\" AS integer INCREMENT BY -2"
                    + " MINVALUE -1000 MAXVALUE -1 START WITH -1 CACHE 20 CYCLE;"),
        schema.render());
    assertEquals(List.of(free), schema.freeSequences());
    assertEquals(
        "SELECT setval('\"tgt\".\"global_seq\"', -7, true)",
        schema.freeSequenceStatement(
            free, new io.migrationstudio.core.dialect.Dialect.SequenceState(-7, true)));
    assertEquals(List.of(), schema.sequenceStatements(), "not set past any key");
  }

  @Test
  void expressionIndexesAreRecreatedFromTheSourceDefinitionUnderIdentityNaming() {
    IndexInfo expression =
        new IndexInfo(
            "lower \"x\" ON y",
            List.of(),
            true,
            "btree",
            null,
            "CREATE UNIQUE INDEX \"lower \"\"x\"\" ON y\" ON \"Src Schema\".\"Order Items\""
                + " USING btree (lower(\"select\")) WHERE (\"select\" <> ''::text)");
    TableMapping t =
        new TableMapping(
            "Order Items",
            "Order Items",
            null,
            List.of("id"),
            List.of(key("id", "id", false)),
            null,
            null,
            List.of(expression));
    TargetSchema identity =
        new TargetSchema(
            new PostgresDialect(),
            new MappingDocument(
                1, "identity", "postgresql", "Src Schema", "tgt", List.of(t), null));
    assertEquals(
        List.of(
            "CREATE UNIQUE INDEX IF NOT EXISTS \"lower \"\"x\"\" ON y\" ON \"tgt\".\"Order Items\""
                + " USING btree (lower(\"select\")) WHERE (\"select\" <> ''::text)"),
        identity.keysAndIndexes(t));
    assertEquals(List.of(), identity.skippedIndexes());

    TargetSchema renamed =
        new TargetSchema(
            new PostgresDialect(),
            new MappingDocument(
                1, "snake_case", "postgresql", "Src Schema", "tgt", List.of(t), null));
    assertTrue(renamed.keysAndIndexes(t).get(0).startsWith("-- index "));
    assertEquals(List.of("Order Items.lower \"x\" ON y"), renamed.skippedIndexes());
  }
}
