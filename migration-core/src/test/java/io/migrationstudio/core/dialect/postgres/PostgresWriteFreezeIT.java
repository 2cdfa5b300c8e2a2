package io.migrationstudio.core.dialect.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.dialect.Dialect.WriteFreeze;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class PostgresWriteFreezeIT {
  private final WriteFreeze freeze = new PostgresDialect().writeFreeze().orElseThrow();

  @Test
  void aSessionOpenedDuringTheFreezeCanUnfreeze(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE t (id integer)");
    try (Connection c = db.connect()) {
      freeze.freezeWrites(c);
      assertTrue(freeze.isFrozen(c));
    }
    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> db.execute("INSERT INTO t VALUES (1)"));
    assertEquals("25006", ((SQLException) refused.getCause()).getSQLState());
    try (Connection late = db.connect()) {
      freeze.unfreezeWrites(late);
      assertFalse(freeze.isFrozen(late));
    }
    db.execute("INSERT INTO t VALUES (1)");
  }
}
