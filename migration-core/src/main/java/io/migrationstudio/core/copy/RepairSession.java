package io.migrationstudio.core.copy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The target session of a forced chunk copy (a repair after Validation found the chunk different).
 *
 * <p>During the first load foreign keys do not exist yet (they are added after it); a repair runs
 * on a finished target where they do. Deleting a parent chunk's range to write it again would then
 * be refused by the children's foreign keys (or, with ON DELETE CASCADE, would delete the children
 * too). The repair session therefore sets {@code session_replication_role = replica}, which
 * suspends foreign-key triggers for this session only: the chunk's rows are written back with the
 * same keys inside one transaction, and the re-validation that follows every repair checks orphans
 * again. It needs a superuser, or on PostgreSQL 15+ a role granted {@code SET} on that parameter;
 * without it the chunk fails with the server's permission error and nothing is changed.
 */
public final class RepairSession {
  private RepairSession() {}

  /** Prepares a session for forced chunk copies; call before {@link ChunkCopier#copy}. */
  public static void prepare(Connection target) throws SQLException {
    try (Statement s = target.createStatement()) {
      s.execute("SET session_replication_role = replica");
    }
  }
}
