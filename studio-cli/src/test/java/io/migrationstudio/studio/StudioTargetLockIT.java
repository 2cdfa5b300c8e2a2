package io.migrationstudio.studio;

import static io.migrationstudio.studio.StudioRunFailureIT.studio;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.copy.TargetLock;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.SqliteDatabases;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: one live migration per target. A {@code studio run} whose target is held by another
 * migration (here one whose process crashed and left its lock) ends with exit 1 naming the holder,
 * having written nothing; {@code studio unlock} shows the holder and, told its id, releases it; the
 * run then completes and releases the lock itself.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(300)
class StudioTargetLockIT {

  @Test
  void aTargetHeldByAnotherMigrationRefusesTheRunUntilUnlocked(
      TestDatabase target, @TempDir Path home) throws Exception {
    StringBuilder script = new StringBuilder("CREATE TABLE item (id INTEGER PRIMARY KEY, n TEXT);");
    for (int i = 1; i <= 20; i++) {
      script.append("INSERT INTO item VALUES (").append(i).append(", 'n").append(i).append("');");
    }
    Path db =
        SqliteDatabases.create(
            Files.createDirectories(home.resolve("sqlite")).resolve("ok.db"), script.toString());
    Path spec = home.resolve("second.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: e2e-second",
            "source: { url: \"" + SqliteDatabases.url(db) + "\" }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "mapping: { naming: identity }",
            "migrate: { parallelism: 1, chunk_rows: 1000 }",
            "cutover: { hypercare: PT0S, freeze: none }",
            ""));
    TargetLock lock = new TargetLock(TargetSchema.DEFAULT_STUDIO_SCHEMA);
    try (Connection c = target.connect()) {
      lock.acquire(
          c,
          new TargetLock.Holder("e2e-first", "migrations/e2e-first", "pid 1 on gone", null, null));
    }

    String homeArg = home.resolve("studio").toString();
    StudioRunFailureIT.Ran refused =
        studio("run", spec.toString(), "--auto-approve", "all", "--home", homeArg);
    assertEquals(1, refused.code(), refused.printed());
    assertTrue(refused.printed().contains("TARGET_LOCKED"), refused.printed());
    assertTrue(refused.printed().contains("migration e2e-first"), refused.printed());
    assertEquals(
        0,
        target.queryLong("select count(*) from pg_tables where tablename = 'table_ledger'"),
        "nothing was prepared");
    assertEquals(
        0,
        target.queryLong("select count(*) from pg_tables where tablename = 'item'"),
        "nothing was created");

    StudioRunFailureIT.Ran shown = studio("unlock", spec.toString(), "--home", homeArg);
    assertEquals(1, shown.code(), shown.printed());
    assertTrue(shown.printed().contains("pid 1 on gone"), shown.printed());
    StudioRunFailureIT.Ran wrong =
        studio("unlock", spec.toString(), "--holder", "e2e-second", "--home", homeArg);
    assertEquals(2, wrong.code(), wrong.printed());
    assertEquals(1, target.queryLong("select count(*) from studio.migration_lock"));
    StudioRunFailureIT.Ran released =
        studio("unlock", spec.toString(), "--holder", "e2e-first", "--home", homeArg);
    assertEquals(0, released.code(), released.printed());

    StudioRunFailureIT.Ran run =
        studio("run", spec.toString(), "--auto-approve", "all", "--home", homeArg);
    assertEquals(0, run.code(), run.printed());
    assertEquals(20, target.queryLong("select count(*) from item"));
    try (Connection c = target.connect()) {
      assertTrue(lock.holder(c).isEmpty(), "the completed migration released its lock");
    }
  }
}
