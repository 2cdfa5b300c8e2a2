package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.SchemaScript;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.PostgresMajor;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PostgreSQL → PostgreSQL carries the schema beyond tables and keys, one object kind per test:
 * types (enum, domain with constraints, composite, range) before the tables that use them, CHECK
 * constraints, declarative partitioning (bounds, sub-partitions, default partition, each
 * partition's own index) with the rows routed into the partitions, views and a materialized view
 * populated after the load, routines, triggers that did not fire during the load but fire after it,
 * rules, row-level security and comments; an object the target refuses is named in run.md, and so
 * are the objects a target one major version older than the source cannot hold.
 */
@ExtendWith(PostgresExtension.class)
class SchemaCarryIT {

  private static void migrate(TestDatabase source, TestDatabase target, String id)
      throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TargetPreparer.Prepared p = Loads.prepare(src, tgt, mapping, id, 3);
      Loads.copyAll(src, tgt, mapping, p, id);
      new LoadFinisher(Loads.PG).finish(src, Loads.PG, tgt, mapping, id, 0L);
    }
  }

  /** The dump of {@code db}, checked to hold lines of each kind in {@code kinds}. */
  private static List<String> dump(TestDatabase db, String... kinds) throws SQLException {
    List<String> d = dump(db);
    for (String kind : kinds) {
      assertTrue(d.stream().anyMatch(l -> l.startsWith(kind + " ")), kind + " in " + d);
    }
    return d;
  }

  private static List<String> dump(TestDatabase db) throws SQLException {
    try (Connection c = db.connect()) {
      return SchemaDump.of(c, "public");
    }
  }

  private static List<String> rows(TestDatabase db, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          sb.append(i > 1 ? "|" : "").append(rs.getString(i));
        }
        out.add(sb.toString());
      }
    }
    return out;
  }

  @Test
  void userDefinedTypesAreCreatedBeforeTheTablesAndColumnsKeepThem(
      TestDatabase source, TestDatabase target) throws Exception {
    source.execute(
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
        "CREATE DOMAIN year AS integer NOT NULL DEFAULT 2000"
            + " CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155)",
        "CREATE TYPE point3 AS (x double precision, y double precision, z double precision)",
        "CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi)",
        "CREATE TABLE thing (id int PRIMARY KEY, m mood NOT NULL, y year, p point3,"
            + " r floatrange, ms mood[])",
        "INSERT INTO thing VALUES (1, 'happy', 1999, ROW(1,2,3), '[1.5,2.5)', '{sad,ok}'),"
            + " (2, 'sad', 2001, NULL, 'empty', NULL)");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      DryRunner.Report dry =
          new DryRunner(Loads.PG, Loads.PG)
              .run(
                  src,
                  tgt,
                  TestMappings.identity(src, "public", "public"),
                  "dry",
                  10,
                  0,
                  ChunkProgress.NONE);
      assertEquals(
          io.migrationstudio.contracts.workflow.Verdict.PASS,
          dry.status(),
          "the dry run creates the types first: " + dry);
    }
    migrate(source, target, "types");
    assertEquals(dump(source, "type", "column"), dump(target));
    assertEquals(
        rows(source, "SELECT * FROM thing ORDER BY id"),
        rows(target, "SELECT * FROM thing ORDER BY id"));
    assertThrows(
        Exception.class,
        () -> target.execute("INSERT INTO thing (id, m, y) VALUES (3, 'ok', 1800)"),
        "the domain's CHECK holds on the target");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      io.migrationstudio.core.validate.ValidationReport v =
          new io.migrationstudio.core.validate.Validator(Loads.PG, Loads.PG)
              .report(src, tgt, TestMappings.identity(src, "public", "public"), "types", 10, 10);
      assertEquals(
          io.migrationstudio.contracts.workflow.Verdict.PASS,
          v.status(),
          io.migrationstudio.core.report.Json.write(v));
    }
  }

  /**
   * A table-inheritance parent (not partitioned) whose two children hold rows of their own: the
   * copy, the chunk planner and validation read the parent {@code ONLY}, so each child's rows
   * arrive once, in the child, and never also in the parent (before, the parent's copy read its
   * children's rows too and the target's parent held them twice once INHERIT was attached).
   */
  @Test
  void anInheritanceParentIsReadOnlyAndItsChildrenRowsArriveOnce(
      TestDatabase source, TestDatabase target) throws Exception {
    source.execute(
        "CREATE TABLE ledger (id int PRIMARY KEY, amount int NOT NULL)",
        "CREATE TABLE ledger_a (PRIMARY KEY (id)) INHERITS (ledger)",
        "CREATE TABLE ledger_b (note text, PRIMARY KEY (id)) INHERITS (ledger)",
        "INSERT INTO ledger SELECT g, g * 10 FROM generate_series(1, 7) g",
        "INSERT INTO ledger_a SELECT g, g * 10 FROM generate_series(101, 105) g",
        "INSERT INTO ledger_b SELECT g, g, 'b' || g FROM generate_series(201, 204) g");
    migrate(source, target, "inherit");
    for (String table : List.of("ledger", "ledger_a", "ledger_b")) {
      String fingerprint =
          "SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), ''))"
              + " FROM ONLY "
              + table
              + " t";
      assertEquals(rows(source, fingerprint), rows(target, fingerprint), table);
    }
    assertEquals(7, target.queryLong("SELECT count(*) FROM ONLY ledger"), "no child row twice");
    assertEquals(16, target.queryLong("SELECT count(*) FROM ledger"), "the whole hierarchy");
    assertEquals(
        0, target.queryLong("SELECT count(*) - count(DISTINCT id) FROM ledger"), "no duplicates");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      assertTrue(
          mapping.bySource("ledger").orElseThrow().inheritanceParent(),
          "the mapping marks the parent");
      io.migrationstudio.core.validate.ValidationReport v =
          new io.migrationstudio.core.validate.Validator(Loads.PG, Loads.PG)
              .report(src, tgt, mapping, "inherit", 10, 10);
      assertEquals(
          io.migrationstudio.contracts.workflow.Verdict.PASS,
          v.status(),
          io.migrationstudio.core.report.Json.write(v));
    }
  }

  @Test
  void checkAndExclusionConstraintsAreCarriedAndEnforced(TestDatabase source, TestDatabase target)
      throws Exception {
    source.execute(
        "CREATE FUNCTION is_even(integer) RETURNS boolean LANGUAGE sql IMMUTABLE"
            + " AS 'SELECT $1 % 2 = 0'",
        "CREATE TABLE item (id int PRIMARY KEY, qty int CHECK (qty > 0),"
            + " lo int, hi int, CONSTRAINT lo_below_hi CHECK (lo <= hi),"
            + " CONSTRAINT even_id CHECK (is_even(id)))",
        "INSERT INTO item VALUES (2, 1, 1, 2), (4, 5, 0, 0)",
        "ALTER TABLE item ADD CONSTRAINT not_yet CHECK (qty < 3) NOT VALID",
        "CREATE TABLE booking (id int PRIMARY KEY, during int4range NOT NULL,"
            + " CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&))",
        "INSERT INTO booking VALUES (1, '[1,5)'), (2, '[5,9)')");
    migrate(source, target, "checks");
    try (Connection tgt = target.connect();
        Connection src = source.connect()) {
      StageOutput integration =
          new IntegrationChecker(Loads.PG)
              .check(tgt, TestMappings.identity(src, "public", "public"), "checks", 0);
      assertEquals(
          io.migrationstudio.contracts.workflow.Verdict.PASS,
          integration.verdict(),
          "the source's NOT VALID check arrives NOT VALID: " + integration.summary());
    }
    assertEquals(dump(source, "constraint", "routine"), dump(target));
    assertEquals(2, target.queryLong("SELECT count(*) FROM item"));
    assertThrows(
        Exception.class, () -> target.execute("INSERT INTO item VALUES (6, 0, 1, 2)"), "qty > 0");
    assertThrows(
        Exception.class, () -> target.execute("INSERT INTO item VALUES (7, 1, 1, 2)"), "even id");
    assertEquals(2, target.queryLong("SELECT count(*) FROM booking"));
    assertThrows(
        Exception.class,
        () -> target.execute("INSERT INTO booking VALUES (3, '[4,6)')"),
        "the exclusion constraint holds on the target");
  }

  @Test
  void partitionedTablesArriveWithEveryPartitionAndTheirRows(
      TestDatabase source, TestDatabase target) throws Exception {
    source.execute(
        "CREATE TABLE event (id bigint GENERATED BY DEFAULT AS IDENTITY, at date NOT NULL,"
            + " region text NOT NULL, amount numeric CHECK (amount >= 0),"
            + " PRIMARY KEY (id, at)) PARTITION BY RANGE (at)",
        "CREATE TABLE event_2024 PARTITION OF event FOR VALUES FROM ('2024-01-01')"
            + " TO ('2025-01-01')",
        "CREATE TABLE event_2025 PARTITION OF event FOR VALUES FROM ('2025-01-01')"
            + " TO ('2026-01-01') PARTITION BY RANGE (at)",
        "CREATE TABLE event_2025_h1 PARTITION OF event_2025 FOR VALUES FROM ('2025-01-01')"
            + " TO ('2025-07-01')",
        "CREATE TABLE event_2025_other PARTITION OF event_2025 DEFAULT",
        "CREATE TABLE event_rest PARTITION OF event DEFAULT",
        "CREATE INDEX event_region_idx ON event (region)",
        "CREATE INDEX event_2024_amount_idx ON event_2024 (amount)",
        "ALTER TABLE event_2024 ADD CONSTRAINT event_2024_small CHECK (amount < 1000)",
        "CREATE TABLE tiny (id int PRIMARY KEY) PARTITION BY RANGE (id)",
        "CREATE TABLE tiny_low PARTITION OF tiny FOR VALUES FROM (0) TO (100)",
        "INSERT INTO tiny VALUES (1), (2)",
        "INSERT INTO event (at, region, amount) SELECT date '2024-06-01' + g * 7,"
            + " CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, g FROM generate_series(0, 150) g");
    migrate(source, target, "parts");
    List<String> parts = dump(source, "relation", "index", "constraint");
    assertTrue(
        parts.contains(
            "relation public.event_2025_other r of public.event_2025 DEFAULT" + " rls=false/false"),
        parts.toString());
    assertEquals(parts, dump(target));
    String perPartition =
        "SELECT tableoid::regclass::text, count(*), sum(amount) FROM event GROUP BY 1 ORDER BY 1";
    assertEquals(rows(source, perPartition), rows(target, perPartition));
    assertEquals(2, target.queryLong("SELECT count(*) FROM tiny_low"), "one chunk, no FREEZE");
    assertEquals(
        source.queryLong("SELECT nextval(pg_get_serial_sequence('event', 'id'))"),
        target.queryLong("SELECT nextval(pg_get_serial_sequence('event', 'id'))"));
  }

  @Test
  void viewsRoutinesTriggersRulesPoliciesAndCommentsArrive(TestDatabase source, TestDatabase target)
      throws Exception {
    source.execute(
        "CREATE TABLE counter (name text PRIMARY KEY, n bigint NOT NULL)",
        "INSERT INTO counter VALUES ('inserts', 0)",
        "CREATE FUNCTION count_insert() RETURNS trigger LANGUAGE plpgsql AS"
            + " $$BEGIN UPDATE counter SET n = n + 1 WHERE name = 'inserts'; RETURN NEW; END$$",
        "CREATE TABLE item (id int PRIMARY KEY, owner text NOT NULL, price numeric NOT NULL)",
        "CREATE TRIGGER item_count AFTER INSERT ON item FOR EACH ROW EXECUTE FUNCTION"
            + " count_insert()",
        "INSERT INTO item SELECT g, 'user' || (g % 3), g * 1.5 FROM generate_series(1, 20) g",
        "CREATE TRIGGER item_never BEFORE DELETE ON item FOR EACH ROW EXECUTE FUNCTION"
            + " count_insert()",
        "ALTER TABLE item DISABLE TRIGGER item_never",
        "CREATE FUNCTION expensive(min numeric) RETURNS SETOF item LANGUAGE sql STABLE"
            + " AS 'SELECT * FROM item WHERE price >= min'",
        "CREATE AGGREGATE total(numeric) (SFUNC = numeric_add, STYPE = numeric, INITCOND = '0')",
        "CREATE VIEW cheap AS SELECT id, price FROM item WHERE price < 10",
        "CREATE VIEW cheapest AS SELECT min(price) AS p FROM cheap",
        "CREATE MATERIALIZED VIEW by_owner AS SELECT owner, count(*) AS n, total(price) AS t"
            + " FROM item GROUP BY owner",
        "CREATE UNIQUE INDEX by_owner_owner ON by_owner (owner)",
        "CREATE MATERIALIZED VIEW never_filled AS SELECT id FROM item WITH NO DATA",
        "CREATE TABLE item_log (id int PRIMARY KEY, note text)",
        "CREATE RULE keep_log AS ON DELETE TO item_log DO INSTEAD NOTHING",
        "CREATE PROCEDURE log_note(i int, t text) LANGUAGE sql"
            + " AS $$INSERT INTO item_log VALUES (i, t)$$",
        "CREATE POLICY own_rows ON item FOR SELECT TO PUBLIC USING (owner = current_user)",
        "ALTER TABLE item ENABLE ROW LEVEL SECURITY",
        "COMMENT ON TABLE item IS 'things for sale'",
        "COMMENT ON COLUMN item.price IS 'in euro'",
        "COMMENT ON VIEW cheap IS 'under ten'",
        "COMMENT ON FUNCTION expensive(numeric) IS 'at least min'");
    long countedOnSource = source.queryLong("SELECT n FROM counter");
    assertEquals(20, countedOnSource);
    migrate(source, target, "objects");

    assertEquals(
        dump(source, "view", "routine", "trigger", "rule", "policy", "comment", "index"),
        dump(target));
    assertEquals(
        countedOnSource,
        target.queryLong("SELECT n FROM counter"),
        "the trigger did not fire while the rows were loaded");
    target.execute("INSERT INTO item VALUES (100, 'x', 1)");
    assertEquals(countedOnSource + 1, target.queryLong("SELECT n FROM counter"), "it fires now");
    String mv = "SELECT * FROM by_owner ORDER BY owner";
    assertEquals(rows(source, mv), rows(target, mv), "the materialized view was refreshed");
    assertEquals(
        rows(source, "SELECT * FROM expensive(25) ORDER BY id"),
        rows(target, "SELECT * FROM expensive(25) ORDER BY id"));
    target.execute("CALL log_note(7, 'called')");
    assertEquals(1, target.queryLong("SELECT count(*) FROM item_log WHERE note = 'called'"));
  }

  @Test
  void anObjectTheTargetRefusesIsNamedInTheRunReportWithTheRemedy(
      TestDatabase source, TestDatabase target) throws Exception {
    source.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      SchemaScript.Statement missing =
          new SchemaScript.Statement(
              "extension",
              "no_such_ext",
              "CREATE EXTENSION IF NOT EXISTS \"no_such_ext\" WITH SCHEMA \"public\"",
              "version 1.0 on the source");
      SchemaScript script =
          new SchemaScript(List.of(missing), Map.of(), List.of(), List.of(), List.of());
      TargetSchema schema = new TargetSchema(Loads.PG, mapping, "studio", script);
      List<SchemaScript.NotCarried> refused = schema.applyPreLoad(tgt);
      assertEquals(1, refused.size());
      assertTrue(refused.get(0).reason().contains("pg_available_extensions"), refused.toString());
      assertEquals(
          1,
          tgt.createStatement().executeUpdate("INSERT INTO t VALUES (2)"),
          "the tables were created all the same");
      CarriedSchema.record(tgt, "studio", Loads.PG, "refused", "pre-data", refused);
      StageOutput out = new LoadFinisher(Loads.PG).finish(tgt, mapping, "refused", 0L);
      String md = new String(out.files().get(ArtifactPaths.RUN_MD), StandardCharsets.UTF_8);
      assertTrue(md.contains("extension no_such_ext: the target refused it"), md);
      assertTrue(schema.render().contains("-- extension no_such_ext: version 1.0 on the source"));
    }
  }

  /**
   * A PostgreSQL 17 source migrated to a PostgreSQL 16 target (the second embedded server, started
   * once per test JVM: about 3 s): a view using a 17 feature (SQL/JSON {@code JSON_VALUE}), a view
   * built on it and a collation of the {@code builtin} provider (17) are named in run.md, each with
   * the target's error and both versions; the rows, the other view, the function, the trigger and
   * the comment arrive, and the dumps differ by those three objects only.
   */
  @Test
  void aTargetOneMajorVersionOlderNamesEveryObjectItCannotHold(
      TestDatabase source, @PostgresMajor(16) TestDatabase target) throws Exception {
    assertEquals(17, major(source), "the source runs the default embedded major");
    assertEquals(16, major(target), "the target runs the previous major");
    source.execute(
        "CREATE TABLE doc (id int PRIMARY KEY, body jsonb NOT NULL, seen timestamptz)",
        "INSERT INTO doc SELECT g, jsonb_build_object('title', 'doc ' || g), NULL"
            + " FROM generate_series(1, 5) g",
        "CREATE VIEW doc_title AS SELECT id, JSON_VALUE(body, '$.title') AS title FROM doc",
        "CREATE VIEW doc_title_upper AS SELECT upper(title) AS title FROM doc_title",
        "CREATE COLLATION c_builtin (provider = builtin, locale = 'C')",
        "CREATE VIEW doc_ids AS SELECT id FROM doc",
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS"
            + " $$BEGIN NEW.seen = now(); RETURN NEW; END$$",
        "CREATE TRIGGER doc_touch BEFORE INSERT OR UPDATE ON doc FOR EACH ROW EXECUTE FUNCTION"
            + " touch()",
        "COMMENT ON TABLE doc IS 'documents'");
    StageOutput out;
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TargetPreparer.Prepared p = Loads.prepare(src, tgt, mapping, "older", 3);
      Loads.copyAll(src, tgt, mapping, p, "older");
      out = new LoadFinisher(Loads.PG).finish(src, Loads.PG, tgt, mapping, "older", 0L);
    }
    String md = new String(out.files().get(ArtifactPaths.RUN_MD), StandardCharsets.UTF_8);
    String older = "a major version older than the source's";
    for (String refused :
        List.of("view public.doc_title:", "view public.doc_title_upper:", "collation ")) {
      String line = md.lines().filter(l -> l.startsWith("- " + refused)).findFirst().orElse("none");
      assertTrue(line.contains("the target refused it: ") && line.contains(older), refused + md);
    }
    assertTrue(md.contains("c_builtin"), md);
    assertEquals(3, md.lines().filter(l -> l.contains(older)).count(), md);

    List<String> before = dump(source);
    List<String> after = dump(target);
    List<String> sourceOnly = new ArrayList<>(before);
    sourceOnly.removeAll(after);
    assertTrue(
        sourceOnly.stream().allMatch(l -> l.matches("(?s).*(doc_title|c_builtin).*")),
        "only the refused objects are missing: " + sourceOnly);
    assertTrue(
        sourceOnly.size() >= 5, "both views and their columns, the collation: " + sourceOnly);
    List<String> targetOnly = new ArrayList<>(after);
    targetOnly.removeAll(before);
    assertEquals(List.of(), targetOnly);
    assertEquals(
        rows(source, "SELECT id, body, seen FROM doc ORDER BY id"),
        rows(target, "SELECT id, body, seen FROM doc ORDER BY id"),
        "the rows arrive and the trigger did not fire during the load");
    target.execute("UPDATE doc SET body = '{}' WHERE id = 1");
    assertEquals(1, target.queryLong("SELECT count(*) FROM doc WHERE seen IS NOT NULL"));
  }

  private static int major(TestDatabase db) {
    return (int) db.queryLong("SELECT current_setting('server_version_num')::int / 10000");
  }

  @Test
  void generatedColumnsArriveGeneratedAndTheCopyDoesNotWriteThem(
      TestDatabase source, TestDatabase target) throws Exception {
    source.execute(
        "CREATE TABLE line (id int PRIMARY KEY, qty int NOT NULL, price numeric(8,2) NOT NULL,"
            + " total numeric(12,2) GENERATED ALWAYS AS (qty * price) STORED,"
            + " label text GENERATED ALWAYS AS ('#' || id::text) STORED)",
        "INSERT INTO line (id, qty, price) SELECT g, g % 7, g * 1.25 FROM generate_series(1, 40) g");
    try (Connection src = source.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TableSql sql =
          new TableSql(Loads.PG, Loads.PG, mapping, mapping.bySource("line").orElseThrow());
      assertEquals(
          "((qty)::numeric * price)",
          sql.table().bySource("total").get().generated(),
          "the mapping holds the source's expression");
      assertTrue(
          !new TableSql(Loads.PG, Loads.PG, mapping, sql.table().written())
              .copyIn()
              .contains("total"),
          "COPY's column list leaves the generated column out");
    }
    migrate(source, target, "generated");
    assertEquals(dump(source, "column"), dump(target), "generated on the target too");
    String all = "SELECT id, qty, price, total, label FROM line ORDER BY id";
    assertEquals(rows(source, all), rows(target, all));
    target.execute("UPDATE line SET qty = 100 WHERE id = 3");
    assertEquals(
        List.of("375.00"),
        rows(target, "SELECT total FROM line WHERE id = 3"),
        "the target computes it");
    target.execute("UPDATE line SET qty = 3 WHERE id = 3");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      io.migrationstudio.core.validate.Validator validator =
          new io.migrationstudio.core.validate.Validator(Loads.PG, Loads.PG);
      assertEquals(
          io.migrationstudio.contracts.workflow.Verdict.PASS,
          validator.report(src, tgt, mapping, "generated", 10, 10).status());
      // validation compares the generated values: a target computing another value fails it
      tgt.createStatement()
          .execute("ALTER TABLE line ALTER COLUMN label SET EXPRESSION AS ('!' || id::text)");
      io.migrationstudio.core.validate.ValidationReport v =
          validator.report(src, tgt, mapping, "generated", 10, 10);
      assertEquals(
          io.migrationstudio.contracts.workflow.Verdict.FAIL,
          v.status(),
          io.migrationstudio.core.report.Json.write(v));
    }
  }

  @Test
  void identityColumnsKeepTheirSequenceAndNextValue(TestDatabase source, TestDatabase target)
      throws Exception {
    source.execute(
        "CREATE TABLE ticket (id bigint GENERATED ALWAYS AS IDENTITY"
            + " (START WITH 1000 INCREMENT BY 10) PRIMARY KEY, note text)",
        "CREATE TABLE stamp (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, note text)",
        "INSERT INTO ticket (note) SELECT 'n' || g FROM generate_series(1, 5) g",
        "INSERT INTO stamp (note) VALUES ('a'), ('b')");
    migrate(source, target, "identity");
    assertEquals(dump(source, "column", "sequence"), dump(target));
    for (String t : List.of("ticket", "stamp")) {
      String insert = "INSERT INTO " + t + " (note) VALUES ('new') RETURNING id";
      assertEquals(rows(source, insert), rows(target, insert), t + ": the next identity value");
    }
  }

  @Test
  void collationsAreCreatedAndColumnsKeepTheirCollate(TestDatabase source, TestDatabase target)
      throws Exception {
    source.execute(
        "CREATE COLLATION nocase (provider = icu, locale = 'und-u-ks-level2',"
            + " deterministic = false)",
        "CREATE COLLATION bytes (provider = libc, locale = 'C')",
        "CREATE DOMAIN code AS text COLLATE bytes",
        "CREATE TABLE person (id int PRIMARY KEY, name text COLLATE nocase,"
            + " tag varchar(20) COLLATE \"C\", c code)",
        "INSERT INTO person VALUES (1, 'Ann', 'b', 'x'), (2, 'bob', 'A', 'Y')");
    migrate(source, target, "collations");
    assertEquals(dump(source, "collation", "column"), dump(target));
    assertEquals(
        List.of("1"),
        rows(target, "SELECT id FROM person WHERE name = 'ANN'"),
        "the column compares case-insensitively on the target too");
    String ordered = "SELECT tag FROM person ORDER BY tag";
    assertEquals(rows(source, ordered), rows(target, ordered));
  }

  /** Owners and ACLs of the schema's objects (roles are shared by the test databases' cluster). */
  private static List<String> privileges(TestDatabase db) throws SQLException {
    return rows(
        db,
        "SELECT 'schema', nspname, pg_get_userbyid(nspowner), nspacl::text FROM pg_namespace"
            + " WHERE nspname = 'public'"
            + " UNION ALL SELECT 'relation', relname, pg_get_userbyid(relowner), relacl::text"
            + " FROM pg_class WHERE relnamespace = 'public'::regnamespace"
            + " AND relkind IN ('r', 'p', 'v', 'm', 'S')"
            + " UNION ALL SELECT 'routine', oid::regprocedure::text, pg_get_userbyid(proowner),"
            + " proacl::text FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
            + " ORDER BY 1, 2");
  }

  private static MappingDocument carryingPrivileges(MappingDocument m) {
    return new MappingDocument(
        m.version(),
        m.naming(),
        m.sourceEngine(),
        m.sourceSchema(),
        m.targetSchema(),
        m.tables(),
        m.sequences(),
        true);
  }

  @Test
  void withCarryPrivilegesOwnershipAndGrantsArrive(TestDatabase source, TestDatabase target)
      throws Exception {
    String owner = "own_" + source.name();
    String quotedReader = "\"read \"\"" + source.name() + "\"";
    source.execute(
        "CREATE ROLE " + owner,
        "CREATE ROLE " + quotedReader,
        "CREATE TABLE account (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text)",
        "CREATE SEQUENCE invoice_no START 500",
        "CREATE VIEW account_names AS SELECT name FROM account",
        "CREATE FUNCTION secret() RETURNS int LANGUAGE sql AS 'SELECT 42'",
        "INSERT INTO account (name) VALUES ('a')",
        "GRANT SELECT ON account TO " + quotedReader,
        "GRANT INSERT ON account TO " + quotedReader + " WITH GRANT OPTION",
        "GRANT USAGE ON SEQUENCE invoice_no TO " + quotedReader,
        "GRANT SELECT ON account_names TO PUBLIC",
        "REVOKE EXECUTE ON FUNCTION secret() FROM PUBLIC",
        "GRANT EXECUTE ON FUNCTION secret() TO " + quotedReader,
        "GRANT USAGE ON SCHEMA public TO " + quotedReader,
        "ALTER TABLE account OWNER TO " + owner,
        "ALTER SEQUENCE invoice_no OWNER TO " + owner,
        "ALTER FUNCTION secret() OWNER TO " + owner);
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument plain = TestMappings.identity(src, "public", "public");
      assertTrue(!plain.carryPrivileges(), "not carried unless the spec asks");
      MappingDocument mapping = carryingPrivileges(plain);
      TargetPreparer.Prepared p = Loads.prepare(src, tgt, mapping, "privileges", 10);
      Loads.copyAll(src, tgt, mapping, p, "privileges");
      StageOutput run =
          new LoadFinisher(Loads.PG).finish(src, Loads.PG, tgt, mapping, "privileges", 0L);
      String md = new String(run.files().get(ArtifactPaths.RUN_MD), StandardCharsets.UTF_8);
      assertTrue(!md.contains("not created on the target"), md);
    }
    List<String> expected = privileges(source);
    assertTrue(expected.toString().contains("read "), expected.toString());
    assertEquals(expected, privileges(target));
  }

  @Test
  void aRoleMissingOnTheTargetIsNamedWithEveryGrantItNeeds(TestDatabase source, TestDatabase target)
      throws Exception {
    String role = "gone_" + source.name();
    source.execute(
        "CREATE ROLE " + role,
        "CREATE TABLE t (id int PRIMARY KEY)",
        "GRANT SELECT ON t TO " + role);
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = carryingPrivileges(TestMappings.identity(src, "public", "public"));
      SchemaScript script = CarriedSchema.read(Loads.PG, Loads.PG, src, mapping);
      // the roles are the cluster's: renamed after the source was read, it is missing for the
      // target as a role of another server would be
      source.execute("ALTER ROLE " + role + " RENAME TO " + role + "_moved");
      TargetSchema schema = new TargetSchema(Loads.PG, mapping, "studio", script);
      List<SchemaScript.NotCarried> refused = new ArrayList<>(schema.applyPreLoad(tgt));
      refused.addAll(schema.applyPostData(tgt));
      List<String> named = refused.stream().map(n -> n.kind() + " " + n.name()).toList();
      assertEquals(List.of("role " + role, "grants table public.t"), named, refused.toString());
      assertTrue(refused.get(0).reason().contains("CREATE ROLE " + role), refused.toString());
    } finally {
      source.execute("DROP OWNED BY " + role + "_moved", "DROP ROLE " + role + "_moved");
    }
  }
}
