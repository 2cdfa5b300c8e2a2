package io.migrationstudio.core.copy;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.db.SampleDatabases;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.validate.Validator;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TRANSFORM and DERIVE columns are CEL evaluated in Java on the raw source columns: Chinook copied
 * PostgreSQL → PostgreSQL through the chunk copier with {@code upper(name)} and a derived full
 * name, checked against SQL's own {@code upper} and concatenation, and validated equal; a row the
 * expression cannot evaluate is quarantined with CEL's reason while its chunk commits.
 */
@ExtendWith(PostgresExtension.class)
class CelExpressionCopyIT {

  private static ColumnMapping computed(
      String source, String target, Disposition d, String type, CanonicalType c, String expr) {
    return ColumnMapping.builder()
        .source(source)
        .target(target)
        .disposition(d)
        .sourceType(source == null ? null : "character varying(120)")
        .type(type)
        .canonical(c)
        .nullable(true)
        .expression(expr)
        .build();
  }

  /** The mapping with {@code table}'s columns edited, re-read and checked as mapping.yaml is. */
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
    // through mapping.yaml and the loader: the expressions type-check against the inventory
    return MappingLoader.load(
        MappingLoader.renderBytes(edited),
        InventoryService.introspect(src, PG, "public", t -> true));
  }

  private static List<ColumnMapping> replace(
      List<ColumnMapping> columns, String source, ColumnMapping with) {
    for (int i = 0; i < columns.size(); i++) {
      if (source.equals(columns.get(i).source())) {
        columns.set(i, with);
      }
    }
    return columns;
  }

  @Test
  void chinookWithATransformAndADerivationCopiesAndValidates(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      SampleDatabases.loadChinookPostgres(src);
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      mapping =
          edit(
              src,
              mapping,
              "artist",
              cols ->
                  replace(
                      cols,
                      "name",
                      computed(
                          "name",
                          "name",
                          Disposition.TRANSFORM,
                          "character varying(120)",
                          CanonicalType.VARCHAR,
                          "upper(name)")));
      mapping =
          edit(
              src,
              mapping,
              "customer",
              cols -> {
                cols.add(
                    computed(
                        null,
                        "full_name",
                        Disposition.DERIVE,
                        "text",
                        CanonicalType.TEXT,
                        "first_name + \" \" + last_name"));
                return cols;
              });

      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "cel", 100);
      Loads.copyAll(src, tgt, mapping, prepared, "cel");
      new LoadFinisher(PG).finish(tgt, mapping, "cel", 0L);

      assertEquals(
          source.queryLong("select count(*) from artist"),
          target.queryLong("select count(*) from artist"));
      assertEquals(
          0,
          countOn(
              src,
              tgt,
              "select upper(name) as n from artist where name is not null",
              "select name as n from artist where name is not null"),
          "every artist name arrives upper-cased, as PostgreSQL's upper() would write it");
      assertEquals(
          source.queryLong("select count(*) from artist where name is null"),
          target.queryLong("select count(*) from artist where name is null"));
      assertEquals(
          0,
          countOn(
              src,
              tgt,
              "select customer_id, first_name || ' ' || last_name as f from customer",
              "select customer_id, full_name as f from customer"),
          "the derived full name is the first and last name joined by a space");
      assertEquals(0, target.queryLong("select count(*) from studio.rejects"));

      StageOutput validation = new Validator(PG, PG).validate(src, tgt, mapping, "cel", 100, 50);
      String v =
          new String(validation.files().get(ArtifactPaths.VALIDATION_JSON), StandardCharsets.UTF_8);
      assertTrue(v.contains("\"status\" : \"PASS\""), v);
      assertFalse(v.contains("FAIL"), v);
    }
  }

  @Test
  void aRowTheExpressionCannotEvaluateIsQuarantinedWithTheReason(
      TestDatabase source, TestDatabase target) throws Exception {
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      src.createStatement()
          .execute(
              "CREATE TABLE \"Codes\" (id int PRIMARY KEY, code varchar(10));"
                  + " INSERT INTO \"Codes\" VALUES (1, '10'), (2, 'x'), (3, NULL), (4, '40')");
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      mapping =
          edit(
              src,
              mapping,
              "Codes",
              cols ->
                  replace(
                      cols,
                      "code",
                      ColumnMapping.builder()
                          .source("code")
                          .target("code")
                          .disposition(Disposition.TRANSFORM)
                          .sourceType("character varying(10)")
                          .type("bigint")
                          .canonical(CanonicalType.BIGINT)
                          .nullable(true)
                          .expression("int(code) * 2")
                          .build()));
      TargetPreparer.Prepared prepared = Loads.prepare(src, tgt, mapping, "q", 100);
      ChunkCopier copier =
          new ChunkCopier(
              PG,
              PG,
              TargetSchema.DEFAULT_STUDIO_SCHEMA,
              java.time.Clock.systemUTC(),
              new CopyOptions(
                  CopyOptions.DEFAULT_FETCH_SIZE, CopyOptions.DEFAULT_PROGRESS_EVERY, 1, false, 1));
      TableMapping codes = mapping.bySource("Codes").orElseThrow();
      for (var range : prepared.tables().get(0).chunks()) {
        copier.copy(src, tgt, mapping, codes, range, "q", ChunkProgress.NONE);
      }

      assertEquals(3, target.queryLong("select count(*) from \"Codes\""));
      assertEquals(20, target.queryLong("select code from \"Codes\" where id = 1"));
      assertEquals(80, target.queryLong("select code from \"Codes\" where id = 4"));
      assertEquals(
          1, target.queryLong("select count(*) from \"Codes\" where id = 3 and code is null"));
      assertEquals(1, target.queryLong("select count(*) from studio.rejects"));
      try (var rs =
          tgt.createStatement()
              .executeQuery("select row_key, reason from studio.rejects where migration = 'q'")) {
        assertTrue(rs.next());
        assertTrue(rs.getString(1).contains("2"), rs.getString(1));
        String reason = rs.getString(2);
        assertTrue(
            reason.contains("table \"Codes\" column \"code\": expression 'int(code) * 2' failed"),
            reason);
      }
    }
  }

  /** Rows of {@code a} on the source missing from {@code b} on the target, and the reverse. */
  private static long countOn(Connection src, Connection tgt, String a, String b) throws Exception {
    List<String> left = rows(src, a);
    List<String> right = rows(tgt, b);
    List<String> missing = new ArrayList<>(left);
    missing.removeAll(right);
    List<String> extra = new ArrayList<>(right);
    extra.removeAll(left);
    assertFalse(left.isEmpty(), "the comparison compares rows: " + a);
    return missing.size() + extra.size();
  }

  private static List<String> rows(Connection c, String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (var s = c.createStatement();
        var rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          sb.append(rs.getString(i)).append('\u0001');
        }
        out.add(sb.toString());
      }
    }
    return out;
  }
}
