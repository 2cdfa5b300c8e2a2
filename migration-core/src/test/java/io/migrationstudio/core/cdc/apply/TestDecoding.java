package io.migrationstudio.core.cdc.apply;

import io.migrationstudio.core.cdc.RowChange;
import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.StreamPosition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test-only reader of a real logical slot with PostgreSQL's built-in {@code test_decoding} plugin
 * ({@code pg_logical_slot_get_changes}), parsed into the change model: a stand-in for the pgoutput
 * reader. Lines look like {@code table public.t: UPDATE: old-key: id[integer]:1 new-tuple:
 * id[integer]:2 v[text]:'x'}; values are PostgreSQL's output text ({@code 'quoted'} with {@code ''}
 * doubled, {@code null}, {@code unchanged-toast-datum}). The commit position is the LSN of the
 * COMMIT line, which grows in commit order.
 */
final class TestDecoding {
  private TestDecoding() {}

  static void createSlot(Connection c, String slot) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'test_decoding')")) {
      ps.setString(1, slot);
      ps.execute();
    }
  }

  static void dropSlot(Connection c, String slot) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                + " WHERE slot_name = ?")) {
      ps.setString(1, slot);
      ps.execute();
    }
  }

  /**
   * Every transaction committed on the source so far, consumed from the slot. {@code
   * pg_logical_slot_get_changes} decodes only WAL that is flushed, and with {@code
   * synchronous_commit = off} (the testkit's setting) the last commits are not flushed yet: the WAL
   * writer flushes them a moment later. So the WAL is first flushed up to the current insert
   * position, or the stream would silently end before the last transactions.
   */
  static List<SourceTransaction> take(Connection c, String slot) throws SQLException {
    flushWal(c);
    try {
      return takeFlushed(c, slot);
    } catch (SQLException e) {
      throw new SQLException(e.getMessage() + describeFilenumber(c, e.getMessage()), e);
    }
  }

  /**
   * For "could not map filenumber "base/D/N" to relation OID": what relation holds relfilenode N
   * now, if any (the slot is not consumed by the failed call, so this is evidence, not recovery).
   */
  private static String describeFilenumber(Connection c, String message) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("filenumber \"base/\\d+/(\\d+)\"")
            .matcher(String.valueOf(message));
    if (!m.find()) {
      return "";
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT coalesce(pg_filenode_relation(0, ?::oid)::regclass::text, '(none)'),"
                + " (SELECT string_agg(relname || ' ' || relkind, ', ') FROM pg_class"
                + " WHERE oid = ?::oid)")) {
      ps.setString(1, m.group(1));
      ps.setString(2, m.group(1));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return " [relfilenode "
            + m.group(1)
            + " now: "
            + rs.getString(1)
            + "; oid "
            + m.group(1)
            + ": "
            + rs.getString(2)
            + "]";
      }
    } catch (SQLException ignored) {
      return "";
    }
  }

  /**
   * Flushes the source's WAL up to its current insert position with a non-transactional logical
   * message written with {@code flush} (PostgreSQL 17). A transaction that only takes an xid does
   * not do it: it writes no WAL before its commit, so its commit stays asynchronous even with
   * {@code synchronous_commit = on}.
   */
  static void flushWal(Connection c) throws SQLException {
    try (java.sql.Statement st = c.createStatement()) {
      String end;
      try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
        rs.next();
        end = rs.getString(1);
      }
      st.execute("SELECT pg_logical_emit_message(false, 'handoff_test', 'flush', true)");
      try (ResultSet rs =
          st.executeQuery(
              "SELECT pg_current_wal_flush_lsn()::text, pg_current_wal_flush_lsn() >= '"
                  + end
                  + "'::pg_lsn")) {
        rs.next();
        if (!rs.getBoolean(2)) {
          throw new IllegalStateException(
              "the WAL is flushed to " + rs.getString(1) + ", not to " + end);
        }
      }
    }
  }

  /** Every transaction the slot holds up to the WAL flushed so far, consumed. */
  static List<SourceTransaction> takeFlushed(Connection c, String slot) throws SQLException {
    List<SourceTransaction> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT lsn::text, xid::text, data FROM pg_logical_slot_get_changes(?, NULL, NULL,"
                + " 'include-xids', '1', 'include-timestamp', '1', 'skip-empty-xacts', '1')")) {
      ps.setString(1, slot);
      try (ResultSet rs = ps.executeQuery()) {
        List<RowChange> changes = null;
        while (rs.next()) {
          String data = rs.getString(3);
          if (data.startsWith("message:")) {
            continue; // flushWal's marker: not a row change
          }
          if (data.startsWith("BEGIN")) {
            changes = new ArrayList<>();
          } else if (data.startsWith("COMMIT")) {
            int at = data.indexOf("(at ");
            Instant time =
                at < 0
                    ? Instant.EPOCH
                    : ChangeRow.timestamptz(data.substring(at + 4, data.length() - 1)).toInstant();
            out.add(
                new SourceTransaction(
                    rs.getString(2), StreamPosition.parse("pg:" + rs.getString(1)), time, changes));
            changes = null;
          } else {
            changes.add(change(data));
          }
        }
      }
    }
    return out;
  }

  static RowChange change(String line) {
    // table public.t: KIND: rest
    int colon = line.indexOf(": ");
    String table = line.substring("table ".length(), colon);
    table = table.substring(table.indexOf('.') + 1).replace("\"", "");
    String rest = line.substring(colon + 2);
    int kindEnd = rest.indexOf(':');
    String kind = rest.substring(0, kindEnd);
    String body = rest.substring(kindEnd + 1).trim();
    switch (kind) {
      case "INSERT":
        return RowChange.insert(table, values(body));
      case "DELETE":
        return RowChange.delete(table, values(body));
      case "TRUNCATE":
        return RowChange.truncate(table);
      case "UPDATE":
        if (body.startsWith("old-key: ")) {
          int nt = body.indexOf(" new-tuple: ");
          return RowChange.update(
              table,
              values(body.substring("old-key: ".length(), nt)),
              values(body.substring(nt + " new-tuple: ".length())));
        }
        return RowChange.update(table, Map.of(), values(body));
      default:
        throw new IllegalArgumentException("unexpected test_decoding line: " + line);
    }
  }

  /** {@code name[type]:value ...} in order. */
  static Map<String, Object> values(String body) {
    Map<String, Object> out = new LinkedHashMap<>();
    int i = 0;
    while (i < body.length()) {
      while (i < body.length() && body.charAt(i) == ' ') {
        i++;
      }
      if (i >= body.length()) {
        break;
      }
      int open = body.indexOf('[', i);
      String name = body.substring(i, open).replace("\"", "");
      int close = body.indexOf("]:", open);
      i = close + 2;
      if (body.charAt(i) == '\'') {
        StringBuilder sb = new StringBuilder();
        i++;
        while (true) {
          char ch = body.charAt(i);
          if (ch == '\'') {
            if (i + 1 < body.length() && body.charAt(i + 1) == '\'') {
              sb.append('\'');
              i += 2;
              continue;
            }
            i++;
            break;
          }
          sb.append(ch);
          i++;
        }
        out.put(name, sb.toString());
      } else {
        int end = body.indexOf(' ', i);
        end = end < 0 ? body.length() : end;
        String v = body.substring(i, end);
        out.put(
            name,
            v.equals("null") ? null : v.equals("unchanged-toast-datum") ? RowChange.UNCHANGED : v);
        i = end;
      }
    }
    return out;
  }
}
