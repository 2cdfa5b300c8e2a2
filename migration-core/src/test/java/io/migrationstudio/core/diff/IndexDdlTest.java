package io.migrationstudio.core.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * {@link IndexDdl}: the table of an index's own DDL replaced, whatever the schema and names
 * (quotes, dots, spaces and the word ON inside quoted names); and {@link DdlTarget}'s version.
 */
class IndexDdlTest {
  private static final String TABLE = "\"Order \"\"Items\"";

  @Test
  void theSchemaQualifiedTableOfPgGetIndexdefIsReplaced() {
    assertEquals(
        "CREATE INDEX i ON " + TABLE + " USING btree (lower(name))",
        IndexDdl.onTable("CREATE INDEX i ON app.t USING btree (lower(name))", TABLE));
    assertEquals(
        "CREATE UNIQUE INDEX \"i ON x\" ON ONLY " + TABLE + " USING btree (upper(\"a.b\"))",
        IndexDdl.onTable(
            "CREATE UNIQUE INDEX \"i ON x\" ON ONLY \"Other\"\"Schema\".\"Order \"\"Items\" USING"
                + " btree (upper(\"a.b\"))",
            TABLE));
    assertEquals(
        "CREATE INDEX \"i\"\"x\" ON " + TABLE + " USING gin (to_tsvector('simple'::regconfig, b))",
        IndexDdl.onTable(
            "CREATE INDEX \"i\"\"x\" ON s.\"t.u\" USING gin (to_tsvector('simple'::regconfig, b))",
            TABLE));
    // SQLite keeps the statement as written: a bare table followed by its column list
    assertEquals(
        "CREATE INDEX ix ON " + TABLE + "(lower(a))",
        IndexDdl.onTable("CREATE INDEX ix ON t(lower(a))", TABLE));
    String broken = "CREATE INDEX \"unterminated ON t (a)";
    assertEquals(broken, IndexDdl.onTable(broken, TABLE), "left as is when unparsable");
  }

  @Test
  void definitionsOnTablesOfTwoSchemasCompareEqual() {
    assertTrue(
        IndexDdl.sameIgnoringTable(
            "CREATE INDEX i ON app.t USING btree (lower(name))",
            "CREATE INDEX i ON \"Other\"\"Schema\".t USING btree (lower(name))"));
    assertFalse(
        IndexDdl.sameIgnoringTable(
            "CREATE INDEX i ON app.t USING btree (lower(name))",
            "CREATE INDEX i ON app.t USING btree (upper(name))"));
    assertFalse(IndexDdl.sameIgnoringTable("CREATE INDEX i ON t (a)", null));
  }

  @Test
  void theTargetsMajorVersionIsTheVersionsLeadingNumber() {
    PostgresDialect pg = new PostgresDialect();
    assertEquals(OptionalInt.of(16), new DdlTarget(pg, "16.11 (Debian 16.11-1)").major());
    assertTrue(new DdlTarget(pg, "17.7").atLeast(17));
    assertFalse(new DdlTarget(pg, "16.11").atLeast(17));
    assertFalse(DdlTarget.of(pg).atLeast(17), "an unknown version is not assumed new");
    assertEquals("postgresql (server version unknown)", DdlTarget.of(pg).describe());
    DiffSchema read =
        new DiffSchema(
            "s",
            java.util.Map.of(),
            java.util.Map.of(),
            java.util.Map.of(),
            null,
            new DiffSchema.Server("postgresql", "16.11"));
    assertEquals("16.11", DdlTarget.forChanging(pg, read, null).serverVersion());
    assertEquals("17.2", DdlTarget.forChanging(pg, read, "17.2").serverVersion());
    DiffSchema maria =
        new DiffSchema(
            "s",
            java.util.Map.of(),
            java.util.Map.of(),
            java.util.Map.of(),
            null,
            new DiffSchema.Server("mariadb", "11.4.5-MariaDB"));
    assertEquals(
        null,
        DdlTarget.forChanging(pg, maria, null).serverVersion(),
        "another engine's version says nothing about the target's");
  }
}
