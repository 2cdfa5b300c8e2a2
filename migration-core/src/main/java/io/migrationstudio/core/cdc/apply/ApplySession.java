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
 * <p><b>MariaDB/MySQL source: not in replica mode</b>, since its binlog does not carry the changes
 * of foreign key actions and the target's own actions must do them. The on-update triggers the
 * mapping creates skip a session that set {@code studio.applying = on} ({@link #APPLYING}); any
 * session may set it, which only changes that session's own updates.
 */
final class ApplySession {
  /** The setting the on-update triggers read: set (transaction-local) by the applier. */
  static final String APPLYING = io.migrationstudio.core.copy.TargetSchema.APPLYING;

  private final boolean replica;
  private Boolean allowed;

  ApplySession(Dialect source) {
    this.replica = "postgresql".equals(source.name());
  }

  /** Sets up the current transaction of {@code tgt} (autocommit off) for applying. */
  void begin(Connection tgt, MappingDocument mapping) throws SQLException {
    try (Statement s = tgt.createStatement()) {
      s.execute("SET LOCAL " + APPLYING + " = 'on'");
      if (replica && allowed(tgt, mapping)) {
        s.execute("SET LOCAL session_replication_role = replica");
      }
    }
  }

  private boolean allowed(Connection tgt, MappingDocument mapping) throws SQLException {
    if (allowed == null) {
      allowed = mayReplica(tgt);
      if (!allowed) {
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

  private static boolean mayReplica(Connection tgt) throws SQLException {
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
