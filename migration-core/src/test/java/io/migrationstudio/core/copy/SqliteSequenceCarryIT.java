package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.SqliteDatabases;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An SQLite {@code AUTOINCREMENT} table's identity continues on the target at its {@code
 * sqlite_sequence} counter plus one, past the keys of rows deleted on the source; a plain {@code
 * INTEGER PRIMARY KEY} reuses deleted top keys on SQLite, and continues past the largest key. The
 * mapping renames the table and column (snake_case): the counter is read by the source's names and
 * set on the target's.
 */
@ExtendWith(PostgresExtension.class)
class SqliteSequenceCarryIT {
  @Test
  void anAutoincrementTableContinuesAtItsCounter(@TempDir Path dir, TestDatabase target)
      throws Exception {
    Path file =
        SqliteDatabases.create(
            dir.resolve("counters.db"),
            "CREATE TABLE CountedRows (RowId INTEGER PRIMARY KEY AUTOINCREMENT, v INTEGER);"
                + "CREATE TABLE plain (id INTEGER PRIMARY KEY, v INTEGER);"
                + "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 10)"
                + " INSERT INTO CountedRows (v) SELECT n FROM g;"
                + "INSERT INTO plain (v) SELECT v FROM CountedRows;"
                + "DELETE FROM CountedRows WHERE RowId > 8;"
                + "DELETE FROM plain WHERE id > 8;");
    String url = SqliteDatabases.url(file);
    MigrationSpec spec =
        SpecLoader.parse(
            "id: counters\nsource: { url: \""
                + url
                + "\" }\ntarget: { url: \""
                + target.jdbcUrl()
                + "\", user: postgres }\nmapping: { naming: snake_case }\n");
    Dialect source = Dialects.forUrl(url);
    try (Connection src = DriverManager.getConnection(url);
        Connection tgt = target.connect()) {
      Inventory inventory = InventoryService.introspect(src, source, "main", t -> true);
      MappingDocument mapping = new MappingGenerator().generate(inventory, spec);
      TargetPreparer.Prepared p =
          new TargetPreparer(source, Loads.PG).prepare(src, tgt, mapping, "counters", 1000);
      ChunkCopier copier = new ChunkCopier(source, Loads.PG);
      for (TablePlan plan : p.tables()) {
        for (ChunkRange r : plan.chunks()) {
          copier.copy(
              src,
              tgt,
              mapping,
              mapping.bySource(plan.sourceTable()).orElseThrow(),
              r,
              "counters",
              ChunkProgress.NONE);
        }
      }
      new LoadFinisher(Loads.PG).finish(src, source, tgt, mapping, "counters", 0L);
    }
    assertEquals(8, target.queryLong("SELECT count(*) FROM counted_rows"));
    assertEquals(
        11,
        target.queryLong("SELECT nextval(pg_get_serial_sequence('counted_rows', 'row_id'))"),
        "sqlite_sequence.seq (10) + 1, past the largest key (8)");
    assertEquals(
        9,
        target.queryLong("SELECT nextval(pg_get_serial_sequence('plain', 'id'))"),
        "no AUTOINCREMENT: the largest key + 1, as SQLite would give");
  }
}
