package io.migrationstudio.core.cutover.reverse;

import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.mapping.MappingDocument;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The drill's own writes on the target after its switch: one committed write per table in scope,
 * through the target's ordinary write path (constraints, triggers, locks), that must never reach
 * the source as data.
 *
 * <p><b>How they stay off the source.</b> Each write rewrites one existing row with its own values
 * ({@code UPDATE t SET c = c WHERE ctid = (one row)}: the target's data does not change) in a
 * session tagged with the replication origin named as the reverse capture, {@code <capture>_rev}.
 * The reverse stream's decoder skips the row changes of exactly that origin (the same loop
 * prevention that keeps the forward applier's writes from coming back), so the reverse drain reads
 * past the drill's transactions and applies none of their rows. {@link ReverseStream.Progress}
 * counts what it applied: with only the drill writing to the target it is 0 while the drill wrote
 * one row per non-empty table (asserted in {@code CutoverDrillIT}). An application write sent to
 * the target during the drill (a switch that moved live traffic) is not tagged and is applied to
 * the source as in a real rollback: it is not lost.
 */
public final class DrillWrites {
  private DrillWrites() {}

  /**
   * Makes the drill's writes on the target of migration {@code migrationId}; returns how many rows
   * were written (empty tables have none). The origin is created for the drill and dropped again.
   */
  public static long write(
      MigrationSpec spec, MappingDocument mapping, String migrationId, Secrets secrets)
      throws SQLException {
    Dialect sd = Dialects.source(spec);
    Dialect td = Dialects.target(spec);
    List<String> tables = ReverseStream.targetTables(sd, td, mapping);
    String origin = ReverseStream.captureName(migrationId);
    long written = 0;
    try (Connection target = Dialects.open(spec.target(), secrets, "target")) {
      ApplierSession.createOrigin(target, origin);
      try {
        tag(target, origin);
        for (String table : tables) {
          written += rewriteOneRow(target, table);
        }
      } finally {
        try (Statement s = target.createStatement()) {
          s.execute("SELECT pg_replication_origin_session_reset()");
        }
        ApplierSession.dropOrigin(target, origin);
      }
    }
    return written;
  }

  /** Removes the write guards the drill's rollback left on the target's tables in scope. */
  public static String unfreezeTarget(MigrationSpec spec, MappingDocument mapping, Secrets secrets)
      throws SQLException {
    Dialect sd = Dialects.source(spec);
    Dialect td = Dialects.target(spec);
    List<String> tables = ReverseStream.targetTables(sd, td, mapping);
    try (Connection target = Dialects.open(spec.target(), secrets, "target")) {
      td.writeFreeze().orElseThrow().unfreezeWrites(target, tables);
    }
    return "the " + tables.size() + " target tables in scope take writes again";
  }

  private static void tag(Connection target, String origin) throws SQLException {
    try (PreparedStatement ps =
        target.prepareStatement("SELECT pg_replication_origin_session_setup(?)")) {
      ps.setString(1, origin);
      ps.execute();
    }
  }

  /**
   * Rewrites one row of {@code table} with its own values (its first column that may be assigned:
   * not an identity GENERATED ALWAYS, not generated); 0 when the table is empty or has none.
   */
  private static long rewriteOneRow(Connection target, String table) throws SQLException {
    String column = null;
    try (PreparedStatement ps =
        target.prepareStatement(
            "SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = ?::regclass"
                + " AND attnum > 0 AND NOT attisdropped AND attidentity <> 'a'"
                + " AND attgenerated = '' ORDER BY attnum LIMIT 1")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          column = rs.getString(1);
        }
      }
    }
    if (column == null) {
      return 0;
    }
    try (Statement s = target.createStatement()) {
      return s.executeUpdate(
          "UPDATE "
              + table
              + " SET "
              + column
              + " = "
              + column
              + " WHERE ctid = (SELECT ctid FROM "
              + table
              + " LIMIT 1)");
    }
  }
}
