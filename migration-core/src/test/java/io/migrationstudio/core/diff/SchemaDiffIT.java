package io.migrationstudio.core.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.core.copy.SchemaDump;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.PostgresMajor;
import io.migrationstudio.testkit.TestDatabase;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link SchemaDiff} on the seed toolkit's before/after schema files: each change found and
 * classified; the forward DDL applied to a real database holding "before" gives the catalog that
 * "after" created from nothing gives, and the rollback DDL brings back the catalog of "before"
 * (compared as {@link SchemaDump}s).
 */
@ExtendWith(PostgresExtension.class)
class SchemaDiffIT {
  private static final PostgresDialect PG = new PostgresDialect();
  private static final DiffSchema EMPTY = new DiffSchema("empty", Map.of(), Map.of(), Map.of());

  static DiffSchema toolkit(String name) throws Exception {
    try (InputStream in =
        SchemaDiffIT.class
            .getClassLoader()
            .getResourceAsStream(
                "testdata/migration-architect/database_schema_" + name + ".json")) {
      return ToolkitSchema.read(Json.read(in.readAllBytes(), JsonNode.class, name), name);
    }
  }

  private static SchemaDiff.Change change(
      List<SchemaDiff.Change> changes, String object, String change) {
    return changes.stream()
        // an object ending in "." names a table's constraint whose name is derived
        .filter(
            c ->
                (object.endsWith(".") ? c.object().startsWith(object) : c.object().equals(object))
                    && c.change().startsWith(change))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    object
                        + " "
                        + change
                        + " not in "
                        + changes.stream().map(c -> c.object() + " " + c.change()).toList()));
  }

  private static void apply(TestDatabase db, List<String> statements) throws SQLException {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      for (String s : statements) {
        st.execute(s);
      }
      c.commit();
    }
  }

  private static List<String> dump(TestDatabase db) throws SQLException {
    try (Connection c = db.connect()) {
      return SchemaDump.of(c, "public");
    }
  }

  @Test
  void everyChangeOfTheToolkitsSchemasIsFoundAndClassified() throws Exception {
    List<SchemaDiff.Change> changes = SchemaDiff.compare(PG, toolkit("before"), toolkit("after"));
    Map<String, SchemaDiff.Impact> expected =
        Map.ofEntries(
            Map.entry("table user_preferences|added", SchemaDiff.Impact.COMPATIBLE),
            Map.entry("column users.email|type", SchemaDiff.Impact.POTENTIALLY_BREAKING),
            Map.entry("column users.email_verified_at|added", SchemaDiff.Impact.COMPATIBLE),
            Map.entry("column users.two_factor_enabled|added", SchemaDiff.Impact.COMPATIBLE),
            Map.entry("column user_profiles.bio|type", SchemaDiff.Impact.POTENTIALLY_BREAKING),
            Map.entry(
                "column user_sessions.user_agent|type", SchemaDiff.Impact.POTENTIALLY_BREAKING),
            Map.entry("column user_profiles.language|added", SchemaDiff.Impact.COMPATIBLE),
            Map.entry("column user_sessions.session_type|added", SchemaDiff.Impact.COMPATIBLE),
            Map.entry("index idx_users_last_login|added", SchemaDiff.Impact.COMPATIBLE),
            Map.entry("view active_users|definition changed", SchemaDiff.Impact.COMPATIBLE),
            Map.entry("view verified_users|added", SchemaDiff.Impact.COMPATIBLE),
            Map.entry("routine get_user_with_profile|added", SchemaDiff.Impact.COMPATIBLE));
    expected.forEach(
        (k, impact) -> {
          String[] p = k.split("\\|");
          assertEquals(impact, change(changes, p[0], p[1]).impact(), k);
        });
    long checks =
        changes.stream()
            .filter(c -> c.object().startsWith("check ") && c.change().startsWith("added"))
            .count();
    assertEquals(4, checks, "users, user_profiles (2) and user_sessions gain a CHECK");
    assertTrue(
        change(changes, "check user_profiles.", "added: language").impact()
            == SchemaDiff.Impact.POTENTIALLY_BREAKING);
    DiffReport forward = DiffReport.of(PG, "before", toolkit("before"), "after", toolkit("after"));
    assertEquals(0, forward.exitCode(), forward.markdown());
    DiffReport back = DiffReport.of(PG, "after", toolkit("after"), "before", toolkit("before"));
    assertEquals(1, back.exitCode(), "dropped columns and a dropped table break");
    SchemaDiff.Change dropped =
        change(back.changes(), "column users.two_factor_enabled", "dropped");
    assertEquals(SchemaDiff.Impact.BREAKING, dropped.impact());
    assertTrue(dropped.rollbackNote().contains("values are lost"), dropped.rollbackNote());
  }

  /**
   * Every difference between the toolkit's two files, read off the files by hand (25: columns,
   * types, CHECKs, indexes, a table with its foreign key and index, views, a routine), is reported
   * once with its impact, and nothing else is: a change missed or invented fails here.
   */
  @Test
  void theChangesOfTheToolkitsSchemasAreExactlyTheFilesDifferences() throws Exception {
    List<String> expected =
        List.of(
            "check user_profiles|added: bio IS NULL OR LENGTH(bio) <= 2000|POTENTIALLY_BREAKING",
            "check user_profiles|added: language IN ('en', 'es', 'fr', 'de', 'it', 'pt', 'ru',"
                + " 'ja', 'ko', 'zh')|POTENTIALLY_BREAKING",
            "check user_sessions|added: session_type IN ('web', 'mobile', 'api',"
                + " 'admin')|POTENTIALLY_BREAKING",
            "check users|added: phone IS NULL OR LENGTH(phone) >= 10|POTENTIALLY_BREAKING",
            "column user_profiles.bio|type|POTENTIALLY_BREAKING",
            "column user_profiles.language|added|COMPATIBLE",
            "column user_profiles.timezone|added|COMPATIBLE",
            "column user_sessions.is_mobile|added|COMPATIBLE",
            "column user_sessions.session_type|added|COMPATIBLE",
            "column user_sessions.user_agent|type|POTENTIALLY_BREAKING",
            "column users.email|type|POTENTIALLY_BREAKING",
            "column users.email_verified_at|added|COMPATIBLE",
            "column users.last_login_at|added|COMPATIBLE",
            "column users.phone_verified_at|added|COMPATIBLE",
            "column users.two_factor_enabled|added|COMPATIBLE",
            "foreign key user_preferences.user_preferences_user_id_fkey|added|COMPATIBLE",
            "index idx_user_preferences_user_key|added|COMPATIBLE",
            "index idx_user_profiles_language|added|COMPATIBLE",
            "index idx_user_sessions_type|added|COMPATIBLE",
            "index idx_users_email_verified|added|COMPATIBLE",
            "index idx_users_last_login|added|COMPATIBLE",
            "routine get_user_with_profile|added|COMPATIBLE",
            "table user_preferences|added|COMPATIBLE",
            "view active_users|definition|COMPATIBLE",
            "view verified_users|added|COMPATIBLE");
    List<String> found =
        SchemaDiff.compare(PG, toolkit("before"), toolkit("after")).stream()
            .map(SchemaDiffIT::summary)
            .sorted()
            .toList();
    assertEquals(expected.stream().sorted().toList(), found);
  }

  /**
   * object|first word of the change|impact; a CHECK by its table and expression (names are CRCs).
   */
  private static String summary(SchemaDiff.Change c) {
    if (c.object().startsWith("check ")) {
      String table = c.object().substring(6, c.object().indexOf('.'));
      return "check " + table + "|" + c.change() + "|" + c.impact();
    }
    return c.object() + "|" + c.change().split(" ")[0] + "|" + c.impact();
  }

  @Test
  void forwardDdlReachesTheNewSchemaAndRollbackRestoresTheOld(
      TestDatabase stepwise, TestDatabase direct) throws Exception {
    DiffSchema before = toolkit("before");
    DiffSchema after = toolkit("after");
    apply(stepwise, SchemaDiff.forward(SchemaDiff.compare(PG, EMPTY, before)));
    List<String> original = dump(stepwise);
    assertTrue(original.size() > 40, original.toString());

    List<SchemaDiff.Change> changes = SchemaDiff.compare(PG, before, after);
    apply(stepwise, SchemaDiff.forward(changes));
    apply(direct, SchemaDiff.forward(SchemaDiff.compare(PG, EMPTY, after)));
    assertEquals(dump(direct), dump(stepwise), "forward DDL gives the new schema's catalog");

    apply(stepwise, SchemaDiff.rollback(changes));
    assertEquals(original, dump(stepwise), "rollback DDL restores the old catalog");
  }

  /**
   * The kinds of change PostgreSQL runs in place, one of each, on a real database: a column's
   * collation, a stored column's generation expression (PostgreSQL 17's SET EXPRESSION), a foreign
   * key's ON DELETE and ON UPDATE, a partial index's WHERE and an index's expression. The forward
   * script turns the catalog of "before" into that of "after", the rollback brings "before" back.
   */
  @Test
  void collationGenerationForeignKeyActionsAndIndexDefinitionsApplyAndRollBack(
      TestDatabase stepwise, TestDatabase direct) throws Exception {
    String parent = "CREATE TABLE parent (id int PRIMARY KEY)";
    apply(
        stepwise,
        List.of(
            parent,
            "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id) ON"
                + " DELETE CASCADE, name text COLLATE \"C\", price int, total int GENERATED"
                + " ALWAYS AS (price * 2) STORED)",
            "CREATE INDEX child_name_idx ON child (name) WHERE price > 0",
            "CREATE INDEX child_lower_idx ON child (lower(name))"));
    apply(
        direct,
        List.of(
            parent,
            "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id) ON"
                + " DELETE SET NULL ON UPDATE CASCADE, name text COLLATE \"POSIX\", price int,"
                + " total int GENERATED ALWAYS AS (price * 3) STORED)",
            "CREATE INDEX child_name_idx ON child (name) WHERE price > 10",
            "CREATE INDEX child_lower_idx ON child (upper(name))"));
    io.migrationstudio.core.spec.SecretResolver secrets =
        new io.migrationstudio.core.spec.SecretResolver(Map.of());
    DiffSchema before =
        DiffReport.readLive(stepwise.jdbcUrl(), stepwise.user(), null, "public", secrets);
    DiffSchema after =
        DiffReport.readLive(direct.jdbcUrl(), direct.user(), null, "public", secrets);
    DdlTarget target = DdlTarget.forChanging(PG, before, null);
    assertTrue(target.atLeast(17), target.describe());
    List<SchemaDiff.Change> changes = SchemaDiff.compare(target, before, after);
    assertTrue(
        SchemaDiff.forward(changes).stream().anyMatch(s -> s.contains("SET EXPRESSION AS")),
        "PostgreSQL 17 changes the expression in place");
    assertEquals(
        List.of(
            "column child.name|collation",
            "column child.total|generated",
            "foreign key child.child_parent_id_fkey|ON",
            "index child_lower_idx|definition",
            "index child_name_idx|definition"),
        changes.stream().map(c -> c.object() + "|" + c.change().split(" ")[0]).sorted().toList());
    List<String> original = dump(stepwise);
    apply(stepwise, SchemaDiff.forward(changes));
    assertEquals(dump(direct), dump(stepwise), "forward DDL gives the new schema's catalog");
    apply(stepwise, SchemaDiff.rollback(changes));
    assertEquals(original, dump(stepwise), "rollback DDL restores the old catalog");
  }

  private static final String GENERATED_BEFORE =
      "CREATE TABLE box (id int PRIMARY KEY, w int NOT NULL, area int GENERATED ALWAYS AS (w *"
          + " w) STORED, CONSTRAINT box_area_key UNIQUE (area), CONSTRAINT box_area_check CHECK"
          + " (area < 10000))";

  /**
   * PostgreSQL 16 has no {@code ALTER COLUMN ... SET EXPRESSION}: the diff, written for the server
   * version the old database reports, drops the generated column and adds it again with the new
   * expression, re-creating its index, unique key and CHECK and dropping and re-creating the view
   * that uses it, and says so in the change's note. Forward and rollback reach the other catalogue,
   * and the column's values are computed by the expression in force.
   */
  @Test
  void aGeneratedColumnsNewExpressionOnPostgres16IsADropAndReAdd(
      @PostgresMajor(16) TestDatabase stepwise, @PostgresMajor(16) TestDatabase direct)
      throws Exception {
    List<String> rest =
        List.of(
            "CREATE INDEX box_area_idx ON box (area) WHERE area > 0",
            "CREATE VIEW big_boxes AS SELECT id, area FROM box WHERE area > 100");
    apply(stepwise, concat(List.of(GENERATED_BEFORE), rest));
    apply(direct, concat(List.of(GENERATED_BEFORE.replace("(w * w)", "(w * 3)")), rest));
    apply(stepwise, List.of("INSERT INTO box (id, w) VALUES (1, 20)"));
    io.migrationstudio.core.spec.SecretResolver secrets =
        new io.migrationstudio.core.spec.SecretResolver(Map.of());
    // the CHECK is re-created under the name both catalogues give it (box_area_check)
    DiffSchema before =
        DiffReport.readLive(stepwise.jdbcUrl(), stepwise.user(), null, "public", secrets);
    DiffSchema after =
        DiffReport.readLive(direct.jdbcUrl(), direct.user(), null, "public", secrets);
    DdlTarget target = DdlTarget.forChanging(PG, before, null);
    assertEquals(OptionalInt.of(16), target.major(), target.describe());
    List<SchemaDiff.Change> changes = SchemaDiff.compare(target, before, after);
    assertEquals(
        List.of("column box.area"), changes.stream().map(SchemaDiff.Change::object).toList());
    SchemaDiff.Change change = changes.get(0);
    assertTrue(change.note().startsWith("cannot be done in place on postgresql 16"), change.note());
    assertTrue(change.rollbackNote().contains("none is lost"), change.rollbackNote());
    List<String> forward = SchemaDiff.forward(changes);
    assertTrue(forward.stream().noneMatch(s -> s.contains("SET EXPRESSION")), forward.toString());

    List<String> original = dump(stepwise);
    apply(stepwise, forward);
    assertEquals(dump(direct), dump(stepwise), "forward DDL gives the new schema's catalog");
    assertEquals(60, area(stepwise), "the new expression computes the value");
    apply(stepwise, SchemaDiff.rollback(changes));
    assertEquals(original, dump(stepwise), "rollback DDL restores the old catalog");
    assertEquals(400, area(stepwise), "the old expression computes it again");
  }

  private static int area(TestDatabase db) throws SQLException {
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT area FROM box WHERE id = 1")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new java.util.ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /**
   * Two schemas of one database, both with a table of a hostile name and an index on expressions
   * ({@code pg_get_indexdef} names the table with its schema): the index both have is no change,
   * and the one only "after" has is created on the table of the schema the script runs in, and
   * dropped from it by the rollback.
   */
  @Test
  void anIndexOnExpressionsIsCreatedOnTheTableOfTheSchemaChanged(TestDatabase db) throws Exception {
    String app = "app";
    String other = "Other \"Schema";
    String table = "CREATE TABLE \"Order \"\"Items\" (id int PRIMARY KEY, name text)";
    String same = "CREATE INDEX same_idx ON \"Order \"\"Items\" (upper(name))";
    apply(db, List.of("CREATE SCHEMA " + PG.quote(app), "CREATE SCHEMA " + PG.quote(other)));
    apply(db, List.of("SET search_path TO " + PG.quote(app), table, same));
    apply(
        db,
        List.of(
            "SET search_path TO " + PG.quote(other),
            table,
            same,
            "CREATE INDEX \"lower\"\"idx\" ON \"Order \"\"Items\" (lower(name))"));
    io.migrationstudio.core.spec.SecretResolver secrets =
        new io.migrationstudio.core.spec.SecretResolver(Map.of());
    DiffSchema before = DiffReport.readLive(db.jdbcUrl(), db.user(), null, app, secrets);
    DiffSchema after = DiffReport.readLive(db.jdbcUrl(), db.user(), null, other, secrets);
    List<SchemaDiff.Change> changes = SchemaDiff.compare(PG, before, after);
    assertEquals(
        List.of("index lower\"idx|added"),
        changes.stream().map(c -> c.object() + "|" + c.change()).toList());
    String inApp = "SET search_path TO " + PG.quote(app);
    apply(db, concat(List.of(inApp), SchemaDiff.forward(changes)));
    DiffSchema changed = DiffReport.readLive(db.jdbcUrl(), db.user(), null, app, secrets);
    assertEquals(List.of(), SchemaDiff.compare(PG, changed, after), "forward gives the new schema");
    apply(db, concat(List.of(inApp), SchemaDiff.rollback(changes)));
    DiffSchema back = DiffReport.readLive(db.jdbcUrl(), db.user(), null, app, secrets);
    assertEquals(List.of(), SchemaDiff.compare(PG, back, before), "rollback gives the old schema");
    assertEquals(
        2,
        DiffReport.readLive(db.jdbcUrl(), db.user(), null, other, secrets)
            .tables()
            .get("Order \"Items")
            .indexes()
            .size(),
        "the other schema keeps its indexes");
  }

  /**
   * A plain column made generated: PostgreSQL does it by no ALTER, so the forward script drops the
   * column and adds it again as generated (its index and the user's CHECK re-created, the view on
   * it dropped and re-created), the value computed; the rollback keeps the computed value as a
   * plain one (DROP EXPRESSION), which its note says, with what to keep. Breaking: writes that name
   * the column fail. Both scripts reach the other catalog.
   */
  @Test
  void aPlainColumnMadeGeneratedIsADropAndReAddWithWorkingRollback(
      TestDatabase stepwise, TestDatabase direct) throws Exception {
    String plain =
        "CREATE TABLE tile (id int PRIMARY KEY, w int NOT NULL, area int NOT NULL,"
            + " CONSTRAINT area_not_negative CHECK (area >= 0))";
    List<String> rest =
        List.of(
            "CREATE INDEX tile_area_idx ON tile (area)",
            "CREATE VIEW big_tiles AS SELECT id, area FROM tile WHERE area > 100");
    apply(stepwise, concat(List.of(plain), rest));
    apply(
        direct,
        concat(
            List.of(
                plain.replace(
                    "area int NOT NULL", "area int GENERATED ALWAYS AS (w * w) STORED NOT NULL")),
            rest));
    apply(stepwise, List.of("INSERT INTO tile VALUES (1, 20, 7)"));
    io.migrationstudio.core.spec.SecretResolver secrets =
        new io.migrationstudio.core.spec.SecretResolver(Map.of());
    DiffSchema before =
        DiffReport.readLive(stepwise.jdbcUrl(), stepwise.user(), null, "public", secrets);
    DiffSchema after =
        DiffReport.readLive(direct.jdbcUrl(), direct.user(), null, "public", secrets);
    List<SchemaDiff.Change> changes =
        SchemaDiff.compare(DdlTarget.forChanging(PG, before, null), before, after);
    assertEquals(
        List.of("column tile.area"), changes.stream().map(SchemaDiff.Change::object).toList());
    SchemaDiff.Change change = changes.get(0);
    assertEquals(SchemaDiff.Impact.BREAKING, change.impact());
    assertTrue(
        change.note().startsWith("PostgreSQL cannot make an existing column"), change.note());
    assertTrue(change.rollbackNote().contains("\"area_kept\""), change.rollbackNote());
    List<String> forward = SchemaDiff.forward(changes);
    assertTrue(forward.stream().noneMatch(s -> s.startsWith("--")), forward.toString());

    List<String> original = dump(stepwise);
    apply(stepwise, forward);
    assertEquals(dump(direct), dump(stepwise), "forward DDL gives the new schema's catalog");
    assertEquals(400, value(stepwise, "SELECT area FROM tile WHERE id = 1"));
    apply(stepwise, SchemaDiff.rollback(changes));
    assertEquals(original, dump(stepwise), "rollback DDL restores the old catalog");
    assertEquals(400, value(stepwise, "SELECT area FROM tile WHERE id = 1"), "the value is kept");
  }

  private static int value(TestDatabase db, String sql) throws SQLException {
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /**
   * Two schemas of one database, one of a hostile name, holding a table whose foreign key and CHECK
   * the user named: the diff drops them by their catalogued names (a derived name fails the DROP)
   * and the rollback re-creates them under those names; a view both schemas have is no change
   * ({@code pg_get_viewdef} qualifies the tables of a schema off the search_path), and the view
   * only "after" has is created on the table of the schema the script runs in.
   */
  @Test
  void userNamedConstraintsAreDroppedByNameAndViewsAreWrittenForTheSchemaChanged(TestDatabase db)
      throws Exception {
    String app = "app";
    String other = "Other \"Schema";
    String parent = "CREATE TABLE parent (id int PRIMARY KEY)";
    String table = "CREATE TABLE \"Order \"\"Items\" (id int PRIMARY KEY, parent_id int, qty int";
    String same = "CREATE VIEW same_v AS SELECT id, qty FROM \"Order \"\"Items\"";
    apply(db, List.of("CREATE SCHEMA " + PG.quote(app), "CREATE SCHEMA " + PG.quote(other)));
    apply(
        db,
        List.of(
            "SET search_path TO " + PG.quote(app),
            parent,
            table
                + ", CONSTRAINT \"my fk\" FOREIGN KEY (parent_id) REFERENCES parent (id),"
                + " CONSTRAINT qty_positive CHECK (qty > 0))",
            same));
    apply(
        db,
        List.of(
            "SET search_path TO " + PG.quote(other),
            parent,
            table + ")",
            same,
            "CREATE VIEW \"big \"\"items\" AS SELECT id FROM \"Order \"\"Items\" WHERE qty > 10"));
    io.migrationstudio.core.spec.SecretResolver secrets =
        new io.migrationstudio.core.spec.SecretResolver(Map.of());
    DiffSchema before = DiffReport.readLive(db.jdbcUrl(), db.user(), null, app, secrets);
    DiffSchema after = DiffReport.readLive(db.jdbcUrl(), db.user(), null, other, secrets);
    List<SchemaDiff.Change> changes = SchemaDiff.compare(PG, before, after);
    assertEquals(
        List.of(
            "check Order \"Items.qty_positive|dropped",
            "foreign key Order \"Items.my fk|dropped",
            "view big \"items|added"),
        changes.stream().map(c -> c.object() + "|" + c.change().split(":")[0]).sorted().toList());
    assertTrue(changes.stream().allMatch(c -> c.note() == null), "names are catalogued");
    String inApp = "SET search_path TO " + PG.quote(app);
    apply(db, concat(List.of(inApp), SchemaDiff.forward(changes)));
    DiffSchema changed = DiffReport.readLive(db.jdbcUrl(), db.user(), null, app, secrets);
    assertEquals(List.of(), SchemaDiff.compare(PG, changed, after), "forward gives the new schema");
    apply(db, concat(List.of(inApp), SchemaDiff.rollback(changes)));
    DiffSchema back = DiffReport.readLive(db.jdbcUrl(), db.user(), null, app, secrets);
    assertEquals(List.of(), SchemaDiff.compare(PG, back, before), "rollback gives the old schema");
    assertEquals(
        before.tables().get("Order \"Items").names(),
        back.tables().get("Order \"Items").names(),
        "the rollback restores the constraints under their names");
    DiffSchema.Names names = back.tables().get("Order \"Items").names();
    assertEquals(
        List.of("my fk", "qty_positive"),
        java.util.stream.Stream.concat(
                names.foreignKeys().values().stream(), names.checks().values().stream())
            .sorted()
            .toList());
  }

  @Test
  void liveDatabasesAreComparedThroughTheirCatalogs(TestDatabase older, TestDatabase newer)
      throws Exception {
    apply(older, SchemaDiff.forward(SchemaDiff.compare(PG, EMPTY, toolkit("before"))));
    apply(newer, SchemaDiff.forward(SchemaDiff.compare(PG, EMPTY, toolkit("after"))));
    io.migrationstudio.core.spec.SecretResolver secrets =
        new io.migrationstudio.core.spec.SecretResolver(Map.of());
    DiffSchema a = DiffReport.readLive(older.jdbcUrl(), older.user(), null, "public", secrets);
    DiffSchema b = DiffReport.readLive(newer.jdbcUrl(), newer.user(), null, "public", secrets);
    List<SchemaDiff.Change> live = SchemaDiff.compare(PG, a, b);
    assertEquals(
        SchemaDiff.Impact.POTENTIALLY_BREAKING,
        change(live, "column users.email", "type character varying(255) → character varying(320)")
            .impact());
    assertEquals(
        SchemaDiff.Impact.COMPATIBLE, change(live, "table user_preferences", "added").impact());
    assertEquals(List.of(), SchemaDiff.compare(PG, a, a), "a catalog equals itself");
    assertEquals(
        io.migrationstudio.contracts.ErrorCode.INVALID_SPEC,
        org.junit.jupiter.api.Assertions.assertThrows(
                io.migrationstudio.contracts.MigrationException.class,
                () -> DiffReport.readLive(older.jdbcUrl(), "u", "hunter2", null, secrets))
            .code());
  }
}
