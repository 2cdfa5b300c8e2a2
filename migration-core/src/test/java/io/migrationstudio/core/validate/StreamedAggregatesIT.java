package io.migrationstudio.core.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Column aggregates across engines: MariaDB rows copied to PostgreSQL are aggregated from the rows
 * the checksum pass streams (both sides read with the target codecs), agree when the copy is right,
 * and point at the column a corruption touched.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class StreamedAggregatesIT {
  private static final PostgresDialect PG = new PostgresDialect();

  @Test
  void aggregatesAcrossEnginesAgreeAndNameTheCorruptedColumn(TestMariaDb maria, TestDatabase target)
      throws Exception {
    StringBuilder rows = new StringBuilder();
    for (int i = 1; i <= 300; i++) {
      rows.append(i == 1 ? "" : ", ")
          .append("(")
          .append(i)
          .append(", ")
          .append(i % 13 == 0 ? "NULL" : i + ".25")
          .append(", ")
          .append(i / 3.0)
          .append(", ")
          .append(i % 17 == 0 ? "NULL" : "'näme " + i + "'")
          .append(", '2024-01-01 10:00:00' + INTERVAL ")
          .append(i)
          .append(" MINUTE)");
    }
    maria.execute(
        "CREATE TABLE items (id int PRIMARY KEY, price decimal(10,2) NULL, ratio double NOT NULL,"
            + " name varchar(40) NULL, made datetime NOT NULL)",
        "INSERT INTO items VALUES " + rows);
    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    try (Connection src = maria.connect();
        Connection tgt = target.connect()) {
      Inventory inventory = InventoryService.introspect(src, source, maria.name(), t -> true);
      String yaml =
          """
          version: 1
          source_engine: mariadb
          source_schema: %s
          target_schema: public
          tables:
            - source: items
              target: items
              primary_key: [id]
              columns:
                - { source: id, target: id, disposition: map, source_type: int(11), type: integer, nullable: false }
                - { source: price, target: price, disposition: map, source_type: "decimal(10,2)", type: "numeric(10,2)" }
                - { source: ratio, target: ratio, disposition: map, source_type: double, type: double precision, nullable: false }
                - { source: name, target: name, disposition: map, source_type: varchar(40), type: character varying(40) }
                - { source: made, target: made, disposition: map, source_type: datetime, type: timestamp without time zone, nullable: false }
          """
              .formatted(maria.name());
      MappingDocument mapping =
          MappingLoader.load(yaml.getBytes(StandardCharsets.UTF_8), inventory);
      TargetPreparer.Prepared prepared =
          new TargetPreparer(source, PG).prepare(src, tgt, mapping, "agg", 100);
      ChunkCopier copier = new ChunkCopier(source, PG);
      for (TablePlan plan : prepared.tables()) {
        TableMapping table = mapping.bySource(plan.sourceTable()).orElseThrow();
        for (ChunkRange range : plan.chunks()) {
          copier.copy(src, tgt, mapping, table, range, "agg", r -> {});
        }
      }
      Validator validator = new Validator(source, PG);

      ValidationReport.TableValidation clean =
          validator.report(src, tgt, mapping, "agg", 100, 100).tables().get(0);
      assertEquals(Verdict.PASS, clean.status(), Json.write(clean));
      assertEquals("client", clean.hashPath());
      assertEquals(
          6,
          clean.aggregates().size(),
          "every column aggregated across engines, and the datetime by each server's microseconds");
      assertTrue(
          clean.aggregates().stream()
              .anyMatch(a -> a.column().equals("made (microseconds computed by each server)")),
          Json.write(clean.aggregates()));
      ValidationReport.ColumnAggregate price = aggregate(clean, "price");
      assertEquals(23, price.source().nulls());
      assertEquals("1.25", price.source().min());
      assertEquals("300.25", price.source().max());
      assertEquals(
          target.queryLong("SELECT count(*) FROM items WHERE price IS NULL"),
          price.target().nulls());
      ValidationReport.ColumnAggregate name = aggregate(clean, "name");
      assertEquals(
          Long.toString(target.queryLong("SELECT sum(char_length(name)) FROM items")),
          name.target().lengthSum(),
          "code points, like PostgreSQL's char_length");
      clean.aggregates().forEach(a -> assertEquals(a.source(), a.target(), a.column()));

      target.execute("UPDATE items SET price = price + 1 WHERE id = 150");
      ValidationReport.TableValidation dirty =
          validator.report(src, tgt, mapping, "agg", 100, 100).tables().get(0);
      assertEquals(Verdict.FAIL, dirty.status());
      assertEquals(
          List.of(new ValidationReport.Difference("changed", "150", List.of("price"))),
          dirty.differences().stream().map(ValidationReport.Difference::withoutValues).toList());
      assertEquals(List.of("sum"), aggregate(dirty, "price").differing());
      assertTrue(
          dirty.aggregates().stream()
              .filter(a -> !a.column().equals("price"))
              .allMatch(a -> a.differing().isEmpty()),
          Json.write(dirty.aggregates()));
    }
  }

  private static ValidationReport.ColumnAggregate aggregate(
      ValidationReport.TableValidation t, String column) {
    return t.aggregates().stream().filter(a -> a.column().equals(column)).findFirst().orElseThrow();
  }
}
