package io.migrationstudio.core.cdc.apply;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.cdc.RowChange;
import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.copy.Loads;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.dialect.mariadb.MariaDbDialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The applier on real PostgreSQL: a source table copied in bulk by the chunk copier, then synthetic
 * streamed transactions of every change kind applied through the same mapping, exactly once (a
 * batch applied twice, an overlapping batch, a connection killed mid-batch).
 */
@ExtendWith(PostgresExtension.class)
class ChangeApplierIT {
  private static final String SCHEMA =
      "CREATE TABLE item (id int PRIMARY KEY, name text, doc text, price numeric(10,2),"
          + " seen timestamptz);"
          + " INSERT INTO item SELECT g, 'n' || g, repeat('d', 10) || g, g * 1.5,"
          + " timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour'"
          + " FROM generate_series(1, 20) g";

  private static MappingDocument copied(Connection src, Connection tgt, TestDatabase source)
      throws Exception {
    source.execute(SCHEMA);
    MappingDocument mapping = TestMappings.identity(src, "public", "public");
    Loads.migrate(src, tgt, mapping, "m", 5);
    return mapping;
  }

  private static SourceTransaction tx(long lsn, RowChange... changes) {
    return new SourceTransaction(
        Long.toString(1000 + lsn),
        new StreamPosition.PgLsn(lsn),
        Instant.parse("2026-01-01T00:00:00Z").plusSeconds(lsn),
        List.of(changes));
  }

  /** The applier of a PostgreSQL source's stream (capture {@code cap}) of migration {@code m}. */
  private static ChangeApplier pgToPg(MappingDocument mapping) {
    return new ChangeApplier(PG, PG, mapping, "m", "cap");
  }

  /** The applier of a MariaDB source's stream (capture {@code cap}) of migration {@code m}. */
  private static ChangeApplier mariaDbToPg(MappingDocument mapping) {
    return new ChangeApplier(new MariaDbDialect(), PG, mapping, "m", "cap");
  }

  private static Map<String, Object> row(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static Map<String, Object> item(int id, String name, Object doc) {
    return row("id", "" + id, "name", name, "doc", doc, "price", "1.00", "seen", null);
  }

  @Test
  void everyChangeKindLandsThroughTheCopysMapping(TestDatabase source, TestDatabase target)
      throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = copied(src, tgt, source);
      ChangeApplier applier = pgToPg(mapping);
      ChangeApplier.ApplyResult r =
          applier.apply(
              tgt,
              List.of(
                  tx(
                      100,
                      RowChange.insert(
                          "item",
                          row(
                              "id",
                              "100",
                              "name",
                              "new",
                              "doc",
                              "x",
                              "price",
                              "3.25",
                              "seen",
                              "2024-05-01 10:00:00+02"))),
                  tx(
                      200,
                      RowChange.update(
                          "item",
                          Map.of(),
                          row(
                              "id",
                              "1",
                              "name",
                              "renamed",
                              "doc",
                              RowChange.UNCHANGED,
                              "price",
                              "9.99",
                              "seen",
                              null))),
                  tx(300, RowChange.delete("item", row("id", "2"))),
                  tx(
                      400,
                      RowChange.update("item", row("id", "3"), item(300, "moved", "m")),
                      RowChange.insert("not_in_scope", row("id", "1")))));

      assertEquals(
          1,
          target.queryLong(
              "select count(*) from item where id = 100 and name = 'new' and price = 3.25"
                  + " and seen = timestamptz '2024-05-01 08:00:00+00'"));
      assertEquals(
          1,
          target.queryLong(
              "select count(*) from item where id = 1 and name = 'renamed'"
                  + " and doc = 'dddddddddd1' and price = 9.99 and seen is null"),
          "an unchanged TOAST value keeps the target's value");
      assertEquals(0, target.queryLong("select count(*) from item where id in (2, 3)"));
      assertEquals(1, target.queryLong("select count(*) from item where id = 300"));
      assertEquals(20, target.queryLong("select count(*) from item"));
      assertEquals(new ChangeApplier.TableCounts(1, 2, 1, 0, 0), r.tables().get("item"));
      assertEquals(1, r.ignoredChanges(), "the table out of scope is ignored");
      assertEquals(4, r.appliedTransactions());
      assertEquals(new StreamPosition.PgLsn(400), r.position());
      StreamPositions.Stored stored = applier.stored(tgt).orElseThrow();
      assertEquals(new StreamPosition.PgLsn(400), stored.position());
      assertEquals(4, stored.transactions());
      assertEquals(4, stored.changes());
      assertEquals(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(400), stored.lastCommitTime());

      applier.apply(tgt, List.of(tx(500, RowChange.truncate("item"))));
      assertEquals(0, target.queryLong("select count(*) from item"));
    }
  }

  /**
   * A key-changing update moves the row in place on the target, so a foreign key that references
   * the key follows it by the target's own {@code ON UPDATE CASCADE}, as it did on the source:
   * MariaDB/MySQL do not write cascaded changes to the binlog (measured: a parent key update with
   * {@code ON UPDATE CASCADE} logs the parent's row only), so the stream carries the parent's move
   * and nothing of its children. Applied as a delete and an insert, the target's {@code ON DELETE}
   * action fired instead: children deleted (CASCADE), nulled (SET NULL), or the stream stopped
   * (RESTRICT, Sakila's choice).
   */
  @Test
  void aKeyChangeMovesTheRowInPlaceSoReferencingRowsFollowIt(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = copied(src, tgt, source);
      target.execute(
          "CREATE TABLE child_cascade (id int PRIMARY KEY, item_id int REFERENCES item (id)"
              + " ON UPDATE CASCADE ON DELETE CASCADE);"
              + " CREATE TABLE child_restrict (id int PRIMARY KEY, item_id int REFERENCES item (id)"
              + " ON UPDATE CASCADE ON DELETE RESTRICT);"
              + " INSERT INTO child_cascade VALUES (1, 3), (2, 3), (3, 4);"
              + " INSERT INTO child_restrict VALUES (1, 3), (2, 5)");
      // a MariaDB source's stream (its binlog carries no cascaded rows) by a user who may not set
      // session_replication_role: in origin mode, so the target's own actions move the children
      // (with the grant the applier holds the keys and carries the mapping's actions itself:
      // MariaDbStreamSliceIT); a PostgreSQL source's stream carries them
      withoutReplicaGrant(target, tgt);
      ChangeApplier applier = mariaDbToPg(mapping);
      applier.apply(
          tgt,
          List.of(
              tx(100, RowChange.update("item", row("id", "3"), item(300, "moved", "m"))),
              tx(200, RowChange.update("item", row("id", "5"), item(500, "moved", "m")))));

      assertEquals(3, target.queryLong("select count(*) from child_cascade"), "none deleted");
      assertEquals(
          3,
          target.queryLong(
              "select count(*) from child_cascade where (id, item_id) in ((1, 300), (2, 300),"
                  + " (3, 4))"),
          "the children of item 3 follow it to 300");
      assertEquals(
          2,
          target.queryLong(
              "select count(*) from child_restrict where (id, item_id) in ((1, 300), (2, 500))"),
          "ON DELETE RESTRICT children do not stop the stream and follow their parents");
      assertEquals(
          1, target.queryLong("select count(*) from item where id = 300 and name = 'moved'"));
      assertEquals(0, target.queryLong("select count(*) from item where id in (3, 5)"));
      assertEquals(20, target.queryLong("select count(*) from item"));

      // in origin mode a key of the target refuses a row (RESTRICT here; a NOT VALID key's check
      // of a child whose parent a chunk read later lacks): the error says what to grant
      MigrationException refused =
          assertThrows(
              MigrationException.class,
              () ->
                  applier.apply(tgt, List.of(tx(300, RowChange.delete("item", row("id", "500"))))));
      assertEquals(ErrorCode.PERMANENT_SQL, refused.code());
      assertTrue(refused.getMessage().contains("SQLState 23503"), refused.getMessage());
      assertTrue(
          refused.getMessage().contains("GRANT SET ON PARAMETER session_replication_role"),
          refused.getMessage());
    }
  }

  /**
   * A MariaDB/MySQL source's stream with the target's keys held (a superuser target: replica mode)
   * carries a delete down a self-referencing {@code ON DELETE CASCADE} chain itself, level by level
   * (the target's own action does not fire); a chain deeper than {@link CascadeCarrier#MAX_DEPTH}
   * levels, which MariaDB's own cascade refuses, stops the batch with an error naming the tables
   * instead of recursing on.
   */
  @Test
  void aHeldKeysDeleteIsCarriedDownASelfReferencingChainWithADepthLimit(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      source.execute(
          "CREATE TABLE node (id int PRIMARY KEY, up int REFERENCES node (id) ON DELETE CASCADE);"
              + " INSERT INTO node SELECT g, CASE WHEN g IN (1, 101) THEN NULL ELSE g - 1 END"
              + " FROM generate_series(1, 10) g UNION ALL"
              + " SELECT g, CASE WHEN g = 101 THEN NULL ELSE g - 1 END"
              + " FROM generate_series(101, 130) g");
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      Loads.migrate(src, tgt, mapping, "m", 100);
      assertEquals(
          1,
          target.queryLong("select count(*) from pg_constraint where contype = 'f'"),
          "the target has the self-referencing key");
      ChangeApplier applier = mariaDbToPg(mapping);
      applier.apply(tgt, List.of(tx(10, RowChange.delete("node", row("id", "1")))));
      assertEquals(0, target.queryLong("select count(*) from node where id <= 10"));
      assertEquals(30, target.queryLong("select count(*) from node where id > 100"));

      MigrationException deep =
          assertThrows(
              MigrationException.class,
              () ->
                  applier.apply(tgt, List.of(tx(20, RowChange.delete("node", row("id", "101"))))));
      assertEquals(ErrorCode.INVALID_ARTIFACT, deep.code());
      assertEquals(30, target.queryLong("select count(*) from node where id > 100"), "rolled back");
    }
  }

  /**
   * {@code tgt} switched to a role that is neither superuser nor granted SET on {@code
   * session_replication_role} (PostgreSQL 15+), with every right on the tables it applies to.
   */
  private static void withoutReplicaGrant(TestDatabase target, Connection tgt) throws Exception {
    target.execute(
        "DO $$ BEGIN CREATE ROLE studio_plain NOSUPERUSER; EXCEPTION WHEN duplicate_object THEN"
            + " NULL; END $$",
        "GRANT ALL ON SCHEMA public, studio TO studio_plain",
        "GRANT ALL ON ALL TABLES IN SCHEMA public, studio TO studio_plain");
    try (Statement st = tgt.createStatement()) {
      st.execute("SET ROLE studio_plain");
    }
  }

  /**
   * A streamed TRUNCATE of a table-inheritance parent empties the parent only ({@code TRUNCATE
   * ONLY}): on the source it emptied its children only when the source sent them too (their own
   * TRUNCATE, or in the same message, each applied on its own). Before, the target's {@code
   * TRUNCATE} of the parent also emptied every child table.
   */
  @Test
  void aTruncateOfAnInheritanceParentLeavesItsChildrenAlone(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument plain = copied(src, tgt, source);
      MappingDocument mapping =
          new MappingDocument(
              plain.version(),
              plain.naming(),
              plain.sourceEngine(),
              plain.sourceSchema(),
              plain.targetSchema(),
              plain.tables().stream().map(t -> t.withInheritanceParent(true)).toList(),
              plain.sequences());
      target.execute(
          "CREATE TABLE item_kid () INHERITS (item)",
          "INSERT INTO item_kid (id, name) VALUES (900, 'kid')");
      pgToPg(mapping).apply(tgt, List.of(tx(10, RowChange.truncate("item"))));
      assertEquals(0, target.queryLong("select count(*) from only item"));
      assertEquals(1, target.queryLong("select count(*) from item_kid"), "the child keeps its row");
    }
  }

  /**
   * Issue 14, a streamed TRUNCATE of a parent other tables reference. A PostgreSQL source sends
   * every table of one {@code TRUNCATE} in one message (with the cascaded ones when it cascaded):
   * they are truncated together in one statement, {@code CASCADE} only when the source cascaded.
   * Before, each was truncated on its own and {@code TRUNCATE parent} failed (SQLState 0A000,
   * "cannot truncate a table referenced in a foreign key constraint"), which stopped the stream.
   */
  @Test
  void aTruncateOfSeveralTablesInOneMessageIsOneStatement(TestDatabase source, TestDatabase target)
      throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      source.execute(
          "CREATE TABLE tp (id int PRIMARY KEY); CREATE TABLE tk (id int PRIMARY KEY,"
              + " pid int REFERENCES tp (id)); CREATE TABLE tn (id int PRIMARY KEY,"
              + " pid int REFERENCES tp (id)); INSERT INTO tp SELECT generate_series(1, 5);"
              + " INSERT INTO tk SELECT g, g FROM generate_series(1, 5) g;"
              + " INSERT INTO tn SELECT g, g FROM generate_series(1, 5) g");
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      Loads.migrate(src, tgt, mapping, "m", 100);
      ChangeApplier applier = new ChangeApplier(PG, PG, mapping, "m", "cap");
      // TRUNCATE tp, tk, tn on the source: no cascade needed, all three sent
      List<String> all = List.of("tp", "tk", "tn");
      ChangeApplier.ApplyResult r =
          applier.apply(
              tgt,
              List.of(
                  tx(
                      10,
                      RowChange.truncate("tp", all, false),
                      RowChange.truncate("tk", all, false),
                      RowChange.truncate("tn", all, false))));
      assertEquals(new ChangeApplier.TableCounts(0, 0, 0, 1, 0), r.tables().get("tp"));
      for (String t : all) {
        assertEquals(0, target.queryLong("select count(*) from " + t), t);
      }
      // TRUNCATE tp, tk CASCADE, tn published elsewhere: the message names tp and tk, and the
      // target's CASCADE empties tn as the source's did
      target.execute(
          "INSERT INTO tp SELECT generate_series(1, 5)",
          "INSERT INTO tk SELECT g, g FROM generate_series(1, 5) g",
          "INSERT INTO tn SELECT g, g FROM generate_series(1, 5) g");
      List<String> two = List.of("tp", "tk");
      applier.apply(
          tgt,
          List.of(
              tx(20, RowChange.truncate("tp", two, true), RowChange.truncate("tk", two, true))));
      for (String t : all) {
        assertEquals(0, target.queryLong("select count(*) from " + t), t);
      }
    }
  }

  /**
   * Issue 14, MariaDB/MySQL: InnoDB refuses {@code TRUNCATE} of a table another table references
   * unless {@code foreign_key_checks = 0}, and then empties that table only, its children kept (the
   * binlog has the statement alone). With the target's keys held (replica mode) the applier does
   * the same: the parent is emptied by a {@code DELETE} no key action sees, the child keeps its
   * rows (the Validation's key check then reports them, as they are on the source). Without the
   * grant a {@code DELETE} would fire the target's actions, which the source did not: the stream
   * stops naming the tables and the grant. Before, {@code TRUNCATE parent} failed with SQLState
   * 0A000 in both modes.
   */
  @Test
  void aMariaDbTruncateOfAReferencedParentEmptiesItAloneWithTheKeysHeld(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      source.execute(
          "CREATE TABLE tp (id int PRIMARY KEY); CREATE TABLE tk (id int PRIMARY KEY,"
              + " pid int REFERENCES tp (id) ON DELETE CASCADE);"
              + " INSERT INTO tp SELECT generate_series(1, 5);"
              + " INSERT INTO tk SELECT g, g FROM generate_series(1, 5) g");
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      Loads.migrate(src, tgt, mapping, "m", 100);
      new ChangeApplier(new MariaDbDialect(), PG, mapping, "m", "cap")
          .apply(tgt, List.of(tx(10, RowChange.truncate("tp"))));
      assertEquals(0, target.queryLong("select count(*) from tp"));
      assertEquals(5, target.queryLong("select count(*) from tk"), "the children stay");

      target.execute("INSERT INTO tp SELECT generate_series(1, 5)");
      withoutReplicaGrant(target, tgt);
      MigrationException refused =
          assertThrows(
              MigrationException.class,
              () ->
                  new ChangeApplier(new MariaDbDialect(), PG, mapping, "m", "cap2")
                      .apply(tgt, List.of(tx(20, RowChange.truncate("tp")))));
      assertEquals(ErrorCode.PERMANENT_SQL, refused.code());
      assertEquals(5, target.queryLong("select count(*) from tp"), "nothing applied");
      assertEquals(5, target.queryLong("select count(*) from tk"));
    }
  }

  private static SourceTransaction tx(long lsn, String xid, RowChange... changes) {
    return new SourceTransaction(
        xid, new StreamPosition.PgLsn(lsn), Instant.now(), List.of(changes));
  }

  /**
   * The hand-off rule on a ledger with chosen snapshots: chunks 0 and 1 ({@code id < 11}) were read
   * after xid 70 committed, chunks 2 and 3 before. A change of xid 70 reaches only rows of chunks 2
   * and 3; a key change is judged per key; a truncate empties only the ranges that did not see it.
   */
  @Test
  void aChangeReachesOnlyTheRowsOfChunksWhoseCopyDidNotSeeIt(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = copied(src, tgt, source);
      assertEquals(4, target.queryLong("select count(*) from studio.chunk_ledger"));
      target.execute(
          "UPDATE studio.chunk_ledger SET snapshot = CASE WHEN chunk < 2"
              + " THEN 'pgsnap:100:100:' ELSE 'pgsnap:50:50:' END");
      ChangeApplier applier = pgToPg(mapping);
      ChangeApplier.ApplyResult r =
          applier.apply(
              tgt,
              List.of(
                  tx(
                      10,
                      "70",
                      RowChange.update("item", Map.of(), item(3, "seen", "d")),
                      RowChange.update("item", Map.of(), item(13, "new", "d")),
                      RowChange.update("item", row("id", "2"), item(12, "moved in", "d")),
                      RowChange.update("item", row("id", "14"), item(4, "moved out", "d"))),
                  tx(20, "30", RowChange.delete("item", row("id", "15")))));
      assertEquals(1, target.queryLong("select count(*) from item where id = 3 and name = 'n3'"));
      assertEquals(1, target.queryLong("select count(*) from item where id = 13 and name = 'new'"));
      assertEquals(
          1,
          target.queryLong("select count(*) from item where id = 2 and name = 'n2'"),
          "the old key's chunk saw the move: its copy has no row 2 to delete, and 2 stays as is");
      assertEquals(
          1, target.queryLong("select count(*) from item where id = 12 and name = 'moved in'"));
      assertEquals(0, target.queryLong("select count(*) from item where id = 14"));
      assertEquals(1, target.queryLong("select count(*) from item where id = 4 and name = 'n4'"));
      assertEquals(1, target.queryLong("select count(*) from item where id = 15"));
      assertEquals(new ChangeApplier.TableCounts(0, 3, 0, 0, 4), r.tables().get("item"));

      applier.apply(tgt, List.of(tx(30, "70", RowChange.truncate("item"))));
      assertEquals(10, target.queryLong("select count(*) from item"));
      assertEquals(0, target.queryLong("select count(*) from item where id >= 11"));
    }
  }

  @Test
  void anInsertThatNeedsAnUnchangedValueFailsNamingTableAndKey(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = copied(src, tgt, source);
      ChangeApplier applier = pgToPg(mapping);
      MigrationException e =
          assertThrows(
              MigrationException.class,
              () ->
                  applier.apply(
                      tgt,
                      List.of(
                          tx(100, RowChange.insert("item", item(100, "a", "x"))),
                          tx(200, RowChange.insert("item", item(500, "b", RowChange.UNCHANGED))))));
      assertEquals(ErrorCode.INVALID_ARTIFACT, e.code());
      assertTrue(
          e.getMessage().contains("item") && e.getMessage().contains("id=500"), e.getMessage());
      assertEquals(0, target.queryLong("select count(*) from item where id = 100"));
      assertTrue(applier.stored(tgt).map(s -> s.position() == null).orElse(true));
    }
  }

  /** mapping.yaml edited and re-read through the loader, as CelExpressionCopyIT does. */
  private static MappingDocument edit(
      Connection src, MappingDocument mapping, String table, UnaryOperator<List<ColumnMapping>> f)
      throws Exception {
    List<TableMapping> tables = new ArrayList<>();
    for (TableMapping t : mapping.tables()) {
      tables.add(
          !t.source().equals(table) ? t : t.withColumns(f.apply(new ArrayList<>(t.columns()))));
    }
    MappingDocument edited =
        new MappingDocument(
            mapping.version(),
            mapping.naming(),
            mapping.sourceEngine(),
            mapping.sourceSchema(),
            mapping.targetSchema(),
            tables,
            mapping.sequences());
    return MappingLoader.load(
        MappingLoader.renderBytes(edited),
        InventoryService.introspect(src, PG, "public", t -> true));
  }

  @Test
  void aRenamedColumnAndACelTransformApplyAsTheCopyWroteThem(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      source.execute(SCHEMA);
      MappingDocument mapping =
          edit(
              src,
              TestMappings.identity(src, "public", "public"),
              "item",
              cols -> {
                for (int i = 0; i < cols.size(); i++) {
                  ColumnMapping c = cols.get(i);
                  if (c.source().equals("doc")) {
                    cols.set(
                        i,
                        ColumnMapping.builder()
                            .source("doc")
                            .target("body")
                            .disposition(Disposition.MAP)
                            .sourceType(c.sourceType())
                            .type(c.type())
                            .canonical(c.canonical())
                            .nullable(true)
                            .build());
                  } else if (c.source().equals("name")) {
                    cols.set(
                        i,
                        ColumnMapping.builder()
                            .source("name")
                            .target("title")
                            .disposition(Disposition.TRANSFORM)
                            .sourceType(c.sourceType())
                            .type("text")
                            .canonical(CanonicalType.TEXT)
                            .nullable(true)
                            .expression("upper(name)")
                            .build());
                  }
                }
                return cols;
              });
      Loads.migrate(src, tgt, mapping, "m", 5);
      assertEquals(1, target.queryLong("select count(*) from item where id = 4 and title = 'N4'"));

      ChangeApplier applier = pgToPg(mapping);
      applier.apply(
          tgt,
          List.of(
              tx(10, RowChange.insert("item", item(100, "fresh", "b100"))),
              tx(20, RowChange.update("item", Map.of(), item(5, "again", RowChange.UNCHANGED))),
              tx(
                  30,
                  RowChange.update(
                      "item",
                      Map.of(),
                      row(
                          "id",
                          "6",
                          "name",
                          RowChange.UNCHANGED,
                          "doc",
                          "new body",
                          "price",
                          "6.00",
                          "seen",
                          null)))));
      assertEquals(
          1,
          target.queryLong(
              "select count(*) from item where id = 100 and title = 'FRESH' and body = 'b100'"));
      assertEquals(
          1,
          target.queryLong(
              "select count(*) from item where id = 5 and title = 'AGAIN' and body = 'dddddddddd5'"));
      assertEquals(
          1,
          target.queryLong(
              "select count(*) from item where id = 6 and title = 'N6' and body = 'new body'"),
          "a transform of an unchanged value keeps the target's value");
    }
  }

  @Test
  void mariaDbTextIsConvertedAsTheCrossEngineCopyConvertsIt(TestDatabase target) throws Exception {
    try (Connection tgt = target.connect()) {
      MappingDocument mapping =
          new MappingDocument(
              MappingDocument.CURRENT_VERSION,
              "identity",
              "mariadb",
              "shop",
              "public",
              List.of(
                  new TableMapping(
                      "evt",
                      "evt",
                      null,
                      List.of("id"),
                      List.of(
                          col("id", "int(11)", "integer", CanonicalType.INTEGER),
                          col(
                              "at",
                              "timestamp",
                              "timestamp with time zone",
                              CanonicalType.TIMESTAMPTZ),
                          col("flag", "tinyint(1)", "boolean", CanonicalType.BOOLEAN),
                          col("amount", "decimal(10,2)", "numeric(10,2)", CanonicalType.DECIMAL),
                          col(
                              "label",
                              "varchar(20)",
                              "character varying(20)",
                              CanonicalType.VARCHAR)),
                      null,
                      null,
                      null)),
              null);
      try (Statement st = tgt.createStatement()) {
        for (String ddl : new TargetSchema(PG, mapping).ledgerStatements()) {
          st.execute(ddl);
        }
        st.execute(
            "CREATE TABLE evt (id integer PRIMARY KEY, at timestamptz, flag boolean,"
                + " amount numeric(10,2), label varchar(20))");
      }
      ChangeApplier applier =
          new ChangeApplier(new MariaDbDialect(), PG, mapping, "m", "binlog-cap");
      SourceTransaction insert =
          new SourceTransaction(
              "0-1-7",
              StreamPosition.parse("binlog:mariadb-bin.000001:500"),
              Instant.now(),
              List.of(
                  RowChange.insert(
                      "evt",
                      row(
                          "id",
                          "1",
                          "at",
                          "2024-03-01 12:00:00",
                          "flag",
                          "1",
                          "amount",
                          "12.50",
                          "label",
                          "caf\u00e9".getBytes(java.nio.charset.StandardCharsets.UTF_8)))));
      SourceTransaction update =
          new SourceTransaction(
              "0-1-8",
              StreamPosition.parse("binlog:mariadb-bin.000001:900"),
              Instant.now(),
              List.of(
                  RowChange.update(
                      "evt",
                      row(
                          "id",
                          "1",
                          "at",
                          "2024-03-01 12:00:00",
                          "flag",
                          "1",
                          "amount",
                          "12.50",
                          "label",
                          "x"),
                      row(
                          "id",
                          "1",
                          "at",
                          "2024-03-01 13:30:00.250000",
                          "flag",
                          "0",
                          "amount",
                          "7.00",
                          "label",
                          "y"))));
      applier.apply(tgt, List.of(insert));
      assertEquals(
          1,
          target.queryLong(
              "select count(*) from evt where id = 1 and at = timestamptz '2024-03-01 12:00:00+00'"
                  + " and flag and amount = 12.50 and label = 'caf\u00e9'"),
          "a MariaDB TIMESTAMP's text is UTC; tinyint(1) 1 is true");
      applier.apply(tgt, List.of(insert, update));
      assertEquals(
          1,
          target.queryLong(
              "select count(*) from evt where id = 1"
                  + " and at = timestamptz '2024-03-01 13:30:00.25+00' and not flag"
                  + " and amount = 7 and label = 'y'"));
      assertEquals(
          "binlog:mariadb-bin.000001:900", applier.stored(tgt).orElseThrow().position().text());
    }
  }

  private static ColumnMapping col(String name, String sourceType, String type, CanonicalType c) {
    return ColumnMapping.builder()
        .source(name)
        .target(name)
        .disposition(Disposition.MAP)
        .sourceType(sourceType)
        .type(type)
        .canonical(c)
        .nullable(!name.equals("id"))
        .build();
  }

  /** An ordinary trigger {@code audit} on {@code item} writing each row change to {@code audit}. */
  private static void audit(TestDatabase target) {
    target.execute(
        "CREATE TABLE audit (op text, id int)",
        "CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " INSERT INTO audit VALUES (TG_OP, coalesce(NEW.id, OLD.id)); RETURN NULL; END $$",
        "CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON item"
            + " FOR EACH ROW EXECUTE FUNCTION audit()");
  }

  @Test
  void aBatchAppliedAgainOrOverlappingHasNoSecondEffect(TestDatabase source, TestDatabase target)
      throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = copied(src, tgt, source);
      audit(target);
      // ALWAYS: the applier's replica mode skips ordinary triggers
      target.execute("ALTER TABLE item ENABLE ALWAYS TRIGGER audit");
      List<SourceTransaction> all = new ArrayList<>();
      for (int i = 1; i <= 6; i++) {
        all.add(
            tx(
                i * 10L,
                RowChange.insert("item", item(100 + i, "v" + i, "d")),
                RowChange.update("item", Map.of(), item(i, "u" + i, "d"))));
      }
      ChangeApplier applier = pgToPg(mapping);
      ChangeApplier.ApplyResult first = applier.apply(tgt, all.subList(0, 4));
      assertEquals(4, first.appliedTransactions());
      assertEquals(8, target.queryLong("select count(*) from audit"));

      ChangeApplier.ApplyResult again = pgToPg(mapping).apply(tgt, all.subList(0, 4));
      assertEquals(0, again.appliedTransactions());
      assertEquals(4, again.skippedTransactions());
      assertEquals(8, target.queryLong("select count(*) from audit"), "no statement ran twice");

      ChangeApplier.ApplyResult overlap = applier.apply(tgt, all.subList(2, 6));
      assertEquals(2, overlap.appliedTransactions());
      assertEquals(2, overlap.skippedTransactions());
      assertEquals(12, target.queryLong("select count(*) from audit"));
      assertEquals(new StreamPosition.PgLsn(60), applier.stored(tgt).orElseThrow().position());

      ChangeApplier.ApplyResult older = applier.apply(tgt, all.subList(0, 2));
      assertEquals(0, older.appliedTransactions());
      assertEquals(
          new StreamPosition.PgLsn(60),
          applier.stored(tgt).orElseThrow().position(),
          "the stored position never moves back");
      assertEquals(6, applier.stored(tgt).orElseThrow().transactions());
      assertEquals(
          1, target.queryLong("select count(*) from audit where id = 105 and op = 'INSERT'"));
    }
  }

  /**
   * A trigger the schema carry created on the target (here a {@code last_update}-style BEFORE
   * UPDATE and an audit AFTER trigger, as a PostgreSQL source has them) does not fire for a change
   * the stream applies: the source ran it, and the stream carries what it wrote. Before, the target
   * replaced the streamed value and audited the row a second time.
   */
  @Test
  void theTargetsCarriedTriggersDoNotFireForStreamedChanges(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = copied(src, tgt, source);
      audit(target);
      target.execute(
          "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
              + " NEW.name := 'touched'; RETURN NEW; END $$",
          "CREATE TRIGGER touch BEFORE INSERT OR UPDATE ON item"
              + " FOR EACH ROW EXECUTE FUNCTION touch()");
      ChangeApplier applier = pgToPg(mapping);
      applier.apply(
          tgt,
          List.of(
              tx(
                  10,
                  RowChange.insert("item", item(100, "streamed", "d")),
                  RowChange.update("item", Map.of(), item(1, "from source", "d")))));
      assertEquals(
          0, target.queryLong("select count(*) from audit"), "the audit ran on the source");
      assertEquals(
          1, target.queryLong("select count(*) from item where id = 100 and name = 'streamed'"));
      assertEquals(
          1, target.queryLong("select count(*) from item where id = 1 and name = 'from source'"));
      target.execute("UPDATE item SET name = 'app' WHERE id = 2");
      assertEquals(
          1,
          target.queryLong("select count(*) from item where id = 2 and name = 'touched'"),
          "an application's write still fires them");
    }
  }

  @Test
  void aConnectionKilledMidBatchCommitsNothingOfIt(TestDatabase source, TestDatabase target)
      throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = copied(src, tgt, source);
      ChangeApplier applier = pgToPg(mapping);
      applier.apply(tgt, List.of(tx(10, RowChange.delete("item", row("id", "20")))));
      target.execute(
          "CREATE FUNCTION die() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
              + " IF NEW.name = 'crash' THEN PERFORM pg_terminate_backend(pg_backend_pid());"
              + " END IF; RETURN NEW; END $$",
          "CREATE TRIGGER die BEFORE INSERT OR UPDATE ON item"
              + " FOR EACH ROW EXECUTE FUNCTION die()",
          "ALTER TABLE item ENABLE ALWAYS TRIGGER die");
      List<SourceTransaction> batch =
          List.of(
              tx(20, RowChange.delete("item", row("id", "1"))),
              tx(30, RowChange.insert("item", item(100, "fine", "d"))),
              tx(40, RowChange.insert("item", item(101, "crash", "d"))),
              tx(50, RowChange.insert("item", item(102, "after", "d"))));
      assertThrows(MigrationException.class, () -> applier.apply(tgt, batch));
      assertTrue(tgt.isClosed() || !tgt.isValid(2), "the server ended the applier's session");

      assertEquals(1, target.queryLong("select count(*) from item where id = 1"));
      assertEquals(0, target.queryLong("select count(*) from item where id >= 100"));
      assertEquals(
          "pg:0/A",
          target.queryLong("select count(*) from studio.stream_position") == 1
              ? new StreamPositions(PG, "studio")
                  .read(target.connect(), "cap")
                  .orElseThrow()
                  .position()
                  .text()
              : "none");

      target.execute("DROP TRIGGER die ON item");
      try (Connection again = target.connect()) {
        ChangeApplier.ApplyResult r = pgToPg(mapping).apply(again, batch);
        assertEquals(4, r.appliedTransactions());
      }
      assertEquals(0, target.queryLong("select count(*) from item where id = 1"));
      assertEquals(3, target.queryLong("select count(*) from item where id >= 100"));
    }
  }
}
