package io.migrationstudio.core.cdc.apply;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * How the forward applier's transactions treat the target's triggers. The triggers the schema carry
 * creates on the target after the load (a PostgreSQL source's own triggers, a MariaDB column's
 * {@code ON UPDATE CURRENT_TIMESTAMP}) must not fire for a change the stream applies: the source
 * ran them already and the stream carries what they wrote (an audit row, a {@code last_update}
 * value), so firing them again would write an audit row twice or replace the source's time with the
 * apply time.
 *
 * <p><b>PostgreSQL source: {@code SET LOCAL session_replication_role = replica}</b>, as
 * PostgreSQL's own logical replication applies: ordinary ({@code ENABLE ORIGIN}) triggers and
 * foreign key actions do not fire (the stream carries the cascaded rows: logical decoding logs
 * them). Needs superuser or, from PostgreSQL 15, {@code GRANT SET ON PARAMETER
 * session_replication_role}; a user without it is refused when a table in scope has such a trigger,
 * naming it, and goes on without replica mode when none has.
 *
 * <p><b>MariaDB/MySQL source: replica mode too when the user may set it</b>, so that the target's
 * foreign keys neither check nor cascade ({@link #holdsKeys}): each chunk reads its own snapshot
 * and the stream is applied after the copy, so a streamed child row may reference a parent that a
 * chunk read later no longer has (the source deleted or moved it after), and a NOT VALID key still
 * checks every new row (23503, the stream stopped); and the target's own {@code ON DELETE} action
 * also reaches child rows that chunks read after the parent's change copied. Its binlog does not
 * carry the rows a cascade changed, so the applier then carries every parent delete and key
 * change's action itself ({@link CascadeCarrier}, {@link #carriesEveryAction}). Without the
 * privilege it applies in origin mode as before (the target's actions cascade; a 23503 names the
 * grant). The on-update triggers the mapping creates are ordinary ({@code ENABLE ORIGIN}) ones,
 * which replica mode does not fire; in origin mode they skip a session that set {@code
 * studio.applying = on} ({@link #APPLYING}), set in both modes; any session may set it, which only
 * changes that session's own updates. Triggers made {@code ENABLE ALWAYS} fire in both modes.
 */
final class ApplySession {
  /** The setting the on-update triggers read: set (transaction-local) by the applier. */
  static final String APPLYING = io.migrationstudio.core.copy.TargetSchema.APPLYING;

  /** Whether the source's log carries the rows its foreign-key actions changed (pgoutput does). */
  private final boolean logsCascades;

  private Boolean allowed;
  private boolean holding;

  ApplySession(Dialect source) {
    this.logsCascades = logsCascades(source);
  }

  /** Whether {@code source}'s log carries the rows its foreign-key actions changed. */
  static boolean logsCascades(Dialect source) {
    return "postgresql".equals(source.name());
  }

  /** Sets up the current transaction of {@code tgt} (autocommit off) for applying. */
  void begin(Connection tgt, MappingDocument mapping) throws SQLException {
    holding = false;
    try (Statement s = tgt.createStatement()) {
      s.execute("SET LOCAL " + APPLYING + " = 'on'");
      if (allowed(tgt, mapping)) {
        s.execute("SET LOCAL session_replication_role = replica");
        holding = true;
      }
    }
  }

  /**
   * Whether the current transaction runs in replica mode: the target's foreign keys neither check
   * nor cascade, and its ordinary triggers do not fire.
   */
  boolean holdsKeys() {
    return holding;
  }

  /**
   * Whether the applier must carry every parent delete and key change's foreign-key action itself
   * in the current transaction: the keys are held and the source's log lacks the cascaded rows.
   */
  boolean carriesEveryAction() {
    return holding && !logsCascades;
  }

  private boolean allowed(Connection tgt, MappingDocument mapping) throws SQLException {
    if (allowed == null) {
      allowed = mayReplica(tgt);
      if (!allowed && logsCascades) {
        List<String> triggers = originTriggers(tgt, mapping);
        if (!triggers.isEmpty()) {
          throw new MigrationException(
              ErrorCode.MISSING_OBJECT,
              "the change stream cannot apply without firing the target's triggers "
                  + triggers
                  + " again (they ran on the source, and the stream carries what they wrote): the"
                  + " target user needs superuser or GRANT SET ON PARAMETER"
                  + " session_replication_role TO <studio user> (PostgreSQL 15+), as logical"
                  + " replication does; grant it and resume");
        }
      }
    }
    return allowed;
  }

  /** Whether the target user may set {@code session_replication_role} (hold the keys). */
  static boolean mayReplica(Connection tgt) throws SQLException {
    try (Statement s = tgt.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT current_setting('is_superuser') = 'on',"
                    + " current_setting('server_version_num')::int")) {
      rs.next();
      if (rs.getBoolean(1)) {
        return true;
      }
      if (rs.getInt(2) < 150000) {
        return false;
      }
    }
    try (Statement s = tgt.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT has_parameter_privilege('session_replication_role', 'SET')")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /** The ordinary (origin-mode) user triggers on the mapped target tables, as table.trigger. */
  private static List<String> originTriggers(Connection tgt, MappingDocument mapping)
      throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        tgt.prepareStatement(
            "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE NOT t.tgisinternal AND t.tgenabled = 'O'"
                + " AND n.nspname = ? AND c.relname = ? ORDER BY 1")) {
      for (TableMapping t : mapping.tables()) {
        ps.setString(1, mapping.targetSchema() == null ? "public" : mapping.targetSchema());
        ps.setString(2, t.target());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(t.target() + "." + rs.getString(1));
          }
        }
      }
    }
    return out;
  }
}
