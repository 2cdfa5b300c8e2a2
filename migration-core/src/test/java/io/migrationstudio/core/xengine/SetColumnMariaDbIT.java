package io.migrationstudio.core.xengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MappingOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.review.CompatibilityReviewer;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.validate.ValidationReport;
import io.migrationstudio.core.validate.Validator;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A MySQL SET column becomes text[] by the generated mapping: values with one, several (in the
 * SET's order, whatever order they were written in) and members with blanks, the empty set (an
 * empty array, not NULL) and NULL (NULL) arrive as PostgreSQL arrays; a SET default becomes an
 * array default; the review, the copy and validation (reading the source through the same
 * conversion) pass. The target keeps the members: the SET column a CHECK that each element is one,
 * an enum column beside it (mapped to text) a CHECK listing its members; the source's values pass,
 * others are refused.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class SetColumnMariaDbIT {
  private static final PostgresDialect PG = new PostgresDialect();

  @Test
  void setValuesArriveAsTextArraysAndValidate(TestMariaDb maria, TestDatabase target)
      throws Exception {
    maria.execute(
        "CREATE TABLE features (id int PRIMARY KEY,"
            + " f set('Trailers','Deleted Scenes','Behind the Scenes','x\"y') NULL,"
            + " g set('a','b') NOT NULL DEFAULT 'a,b', r enum('G','PG-13','it''s') NULL)",
        "INSERT INTO features (id, f, r) VALUES (1, 'Trailers', 'G'),"
            + " (2, 'Behind the Scenes,Trailers', 'PG-13'), (3, '', 'it''s'), (4, NULL, NULL),"
            + " (5, 'Deleted Scenes,x\"y', 'G')",
        "INSERT INTO features (id, f, g) VALUES (6, 'Trailers', '')");
    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    try (Connection src = maria.connect();
        Connection tgt = target.connect()) {
      Inventory inventory = InventoryService.introspect(src, source, maria.name(), t -> true);
      MigrationSpec spec =
          new MigrationSpec(
              "sets",
              null,
              new ConnectionSpec(maria.jdbcUrl(), "root", null, null),
              new ConnectionSpec(target.jdbcUrl(), "postgres", null, null),
              null,
              new MappingOptions("identity", null),
              null,
              null,
              null,
              null,
              null,
              null);
      MappingDocument mapping =
          MappingLoader.load(
              MappingLoader.renderBytes(new MappingGenerator().generate(inventory, spec, null)),
              inventory);
      TableMapping table = mapping.bySource("features").orElseThrow();
      ColumnMapping f = table.bySource("f").orElseThrow();
      assertEquals("text[]", f.type());
      assertEquals(CanonicalType.ARRAY, f.canonical());
      assertEquals(Disposition.CAST, f.disposition());
      assertEquals("'{a,b}'", table.bySource("g").orElseThrow().defaultValue());

      StageOutput review =
          new CompatibilityReviewer()
              .review(src, source, inventory.schema(), tgt, inventory, mapping);
      assertEquals(
          Verdict.PASS,
          review.verdict(),
          new String(review.files().get(ArtifactPaths.COMPATIBILITY_MD), StandardCharsets.UTF_8));

      TargetPreparer.Prepared prepared =
          new TargetPreparer(source, PG).prepare(src, tgt, mapping, "sets", 4);
      ChunkCopier copier = new ChunkCopier(source, PG);
      for (TablePlan plan : prepared.tables()) {
        for (ChunkRange range : plan.chunks()) {
          copier.copy(src, tgt, mapping, table, range, "sets", r -> {});
        }
      }
      assertEquals(0, target.queryLong("SELECT count(*) FROM studio.rejects"));
      String script = prepared.targetSchemaSql();
      assertTrue(
          script.contains(
              "CONSTRAINT \"features_f_check\" CHECK (\"f\" <@ ARRAY['Trailers', 'Deleted Scenes',"
                  + " 'Behind the Scenes', 'x\"y']::text[])"),
          script);
      assertTrue(
          script.contains(
              "CONSTRAINT \"features_r_check\" CHECK (\"r\" IN ('G', 'PG-13', 'it''s'))"),
          script);
      for (String refused :
          List.of(
              "INSERT INTO features (id, f) VALUES (8, '{Trailers,Bloopers}')",
              "INSERT INTO features (id, r) VALUES (8, 'NC-17')")) {
        try (Connection c = target.connect();
            Statement st = c.createStatement()) {
          java.sql.SQLException e =
              assertThrows(java.sql.SQLException.class, () -> st.execute(refused), refused);
          assertEquals("23514", e.getSQLState(), refused);
        }
      }
      assertEquals(
          List.of(
              "1|1|{Trailers}|{a,b}",
              "2|2|{Trailers,\"Behind the Scenes\"}|{a,b}",
              "3|0|{}|{a,b}",
              "4|null|null|{a,b}",
              "5|2|{\"Deleted Scenes\",\"x\\\"y\"}|{a,b}",
              "6|1|{Trailers}|{}"),
          rows(
              tgt,
              "SELECT id || '|' || coalesce(cardinality(f)::text, 'null') || '|'"
                  + " || coalesce(f::text, 'null') || '|' || g::text FROM features ORDER BY id"));
      assertEquals(
          1,
          target.queryLong("SELECT count(*) FROM features WHERE 'Behind the Scenes' = ANY (f)"),
          "members are elements: FIND_IN_SET ports to = ANY");
      target.execute("INSERT INTO features (id, f) VALUES (7, '{Trailers}')");
      assertEquals(
          "{a,b}",
          one(tgt, "SELECT g::text FROM features WHERE id = 7"),
          "the default is an array");
      target.execute("DELETE FROM features WHERE id = 7");

      ValidationReport report = new Validator(source, PG).report(src, tgt, mapping, "sets", 10, 4);
      assertEquals(Verdict.PASS, report.status(), Json.write(report));
      assertEquals(6, report.tables().get(0).targetRows());
    }
  }

  private static List<String> rows(Connection c, String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static String one(Connection c, String sql) throws Exception {
    List<String> r = rows(c, sql);
    assertEquals(1, r.size(), sql);
    return r.get(0);
  }
}
