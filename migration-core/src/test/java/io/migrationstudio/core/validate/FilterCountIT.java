package io.migrationstudio.core.validate;

import static io.migrationstudio.core.copy.Loads.PG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.copy.Loads;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A row filter's counts: the rows it keeps are validated, the rows it leaves are counted. */
@ExtendWith(PostgresExtension.class)
class FilterCountIT {
  @Test
  void aFilteredTableRecordsItsUnfilteredCount(TestDatabase source, TestDatabase target)
      throws Exception {
    source.execute(
        "CREATE TABLE orders (id integer PRIMARY KEY, state text NOT NULL)",
        "INSERT INTO orders SELECT g, CASE WHEN g % 4 = 0 THEN 'archived' ELSE 'open' END"
            + " FROM generate_series(1, 1000) g",
        "CREATE TABLE plain (id integer PRIMARY KEY)",
        "INSERT INTO plain SELECT generate_series(1, 10)");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument identity = TestMappings.identity(src, "public", "public");
      MappingDocument mapping =
          new MappingDocument(
              identity.version(),
              identity.naming(),
              identity.sourceEngine(),
              identity.sourceSchema(),
              identity.targetSchema(),
              identity.tables().stream()
                  .map(
                      t ->
                          t.source().equals("orders")
                              ? new TableMapping(
                                  t.source(),
                                  t.target(),
                                  "state <> 'archived'",
                                  t.primaryKey(),
                                  t.columns(),
                                  t.uniqueKeys(),
                                  t.foreignKeys(),
                                  t.indexes())
                              : t)
                  .toList(),
              identity.sequences());
      Loads.migrate(src, tgt, mapping, "filtered", 300);
      Validator validator = new Validator(PG, PG);

      ValidationReport clean = validator.report(src, tgt, mapping, "filtered", 100, 300);
      assertEquals(Verdict.PASS, clean.status(), Json.write(clean));
      ValidationReport.TableValidation orders = table(clean, "orders");
      assertEquals("state <> 'archived'", orders.filter());
      assertEquals(750, orders.sourceRows());
      assertEquals(1000L, orders.sourceRowsUnfiltered());
      assertEquals(750, orders.targetRows());
      assertNull(table(clean, "plain").sourceRowsUnfiltered(), "no filter, no second count");

      target.execute("INSERT INTO orders VALUES (8, 'archived')");
      ValidationReport.TableValidation dirty =
          table(validator.report(src, tgt, mapping, "filtered", 100, 300), "orders");
      assertEquals(
          List.of(new ValidationReport.Difference("extra", "8", List.of())), dirty.differences());
    }
  }

  private static ValidationReport.TableValidation table(ValidationReport r, String name) {
    return r.tables().stream().filter(t -> t.table().equals(name)).findFirst().orElseThrow();
  }
}
