package io.migrationstudio.core.dialect.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.migrationstudio.core.cdc.RowChange;
import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.testkit.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Real pgoutput messages, recorded per scenario from the embedded server with {@code
 * pg_logical_slot_get_binary_changes} (the same bytes a walsender streams, proto_version 1, with
 * logical messages), and kept as {@code pgoutput/recorded.txt}: a {@code == scenario} line, then
 * one hex line per message. {@link PgOutputRecordingIT} records them again to check the committed
 * file still says what the server sends (and writes it with {@code -Dpgoutput.record=<dir>}).
 */
final class PgOutputRecording {
  static final String RESOURCE = "/pgoutput/recorded.txt";

  /** A text that pglz cannot squeeze below 2 kB, so PostgreSQL stores it out of line (TOAST). */
  static final String BIG_TEXT =
      "(SELECT string_agg(md5(i::text), '') FROM generate_series(1, 400) i)";

  private PgOutputRecording() {}

  /** Runs the scenarios on {@code db} and returns each one's messages, in order. */
  static Map<String, List<byte[]>> record(TestDatabase db, String slot) throws SQLException {
    db.execute(
        "CREATE TABLE items (id integer PRIMARY KEY, name text, doc text, data bytea)",
        "CREATE TABLE full_row (id integer, v text)",
        "ALTER TABLE full_row REPLICA IDENTITY FULL",
        "CREATE SCHEMA other",
        "CREATE TABLE other.side (id integer PRIMARY KEY)",
        "CREATE PUBLICATION " + slot + " FOR TABLE items, full_row, other.side");
    Map<String, List<byte[]>> out = new LinkedHashMap<>();
    try (Connection c = db.connect()) {
      // the slot functions read WAL up to its flush point: commits must flush before they return
      try (var s = c.createStatement()) {
        s.execute("SET synchronous_commit = on");
      }
      db.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
      scenario(
          out,
          c,
          slot,
          "insert",
          "BEGIN; INSERT INTO items VALUES (1, 'a', NULL, '\\x00ff10'::bytea),"
              + " (2, 'b', "
              + BIG_TEXT
              + ", NULL); INSERT INTO other.side VALUES (7); COMMIT");
      scenario(out, c, slot, "update_unchanged_toast", "UPDATE items SET name = 'b2' WHERE id = 2");
      scenario(out, c, slot, "delete_key_only", "DELETE FROM items WHERE id = 1");
      try (var s = c.createStatement()) {
        s.execute("INSERT INTO full_row VALUES (1, 'x')");
      }
      messages(c, slot);
      scenario(out, c, slot, "delete_full_row", "DELETE FROM full_row WHERE id = 1");
      scenario(out, c, slot, "key_change", "UPDATE items SET id = 20 WHERE id = 2");
      scenario(out, c, slot, "truncate", "TRUNCATE items, full_row");
      scenario(
          out, c, slot, "message", "SELECT pg_logical_emit_message(true, 'studio', 'heartbeat')");
      scenario(
          out,
          c,
          slot,
          "relation_change",
          "INSERT INTO items (id, name) VALUES (3, 'c');"
              + " ALTER TABLE items ADD COLUMN extra integer;"
              + " INSERT INTO items (id, name, extra) VALUES (4, 'd', 5)");
    } finally {
      db.execute("SELECT pg_drop_replication_slot('" + slot + "')");
    }
    return out;
  }

  private static void scenario(
      Map<String, List<byte[]>> out, Connection c, String slot, String name, String sql)
      throws SQLException {
    try (var s = c.createStatement()) {
      s.execute(sql);
    }
    out.put(name, messages(c, slot));
  }

  /** Consumes the slot's messages so far. */
  private static List<byte[]> messages(Connection c, String slot) throws SQLException {
    List<byte[]> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT data FROM pg_logical_slot_get_binary_changes(?, NULL, NULL,"
                + " 'proto_version', '1', 'publication_names', ?, 'messages', 'true')")) {
      ps.setString(1, slot);
      ps.setString(2, slot);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getBytes(1));
        }
      }
    }
    return out;
  }

  static String format(Map<String, List<byte[]>> scenarios) {
    StringBuilder sb = new StringBuilder();
    scenarios.forEach(
        (name, messages) -> {
          sb.append("== ").append(name).append('\n');
          messages.forEach(m -> sb.append(HexFormat.of().formatHex(m)).append('\n'));
        });
    return sb.toString();
  }

  static Map<String, List<byte[]>> load() throws IOException {
    try (InputStream in = PgOutputRecording.class.getResourceAsStream(RESOURCE)) {
      return parse(new String(in.readAllBytes(), UTF_8));
    }
  }

  static Map<String, List<byte[]>> parse(String text) {
    Map<String, List<byte[]>> out = new LinkedHashMap<>();
    List<byte[]> current = null;
    for (String line : text.split("\n")) {
      if (line.startsWith("== ")) {
        current = new ArrayList<>();
        out.put(line.substring(3), current);
      } else if (!line.isBlank()) {
        current.add(HexFormat.of().parseHex(line.strip()));
      }
    }
    return out;
  }

  /** Decodes one scenario with a fresh decoder (schema {@code public}). */
  static List<SourceTransaction> decode(List<byte[]> messages) {
    PgOutputDecoder decoder = new PgOutputDecoder("public");
    List<SourceTransaction> out = new ArrayList<>();
    for (byte[] m : messages) {
      decoder.decode(ByteBuffer.wrap(m)).ifPresent(out::add);
    }
    return out;
  }

  /**
   * The changes of a scenario as comparable text (no xids, positions or times, which differ per
   * recording): one line per transaction, or the decoder's error.
   */
  static String describe(List<byte[]> messages) {
    try {
      StringBuilder sb = new StringBuilder();
      for (SourceTransaction tx : decode(messages)) {
        sb.append("tx");
        for (RowChange ch : tx.changes()) {
          sb.append(' ')
              .append(ch.kind())
              .append(' ')
              .append(ch.table())
              .append(' ')
              .append(values(ch.key()))
              .append(' ')
              .append(values(ch.row()));
        }
        sb.append('\n');
      }
      return sb.toString();
    } catch (RuntimeException e) {
      return "error " + e.getMessage();
    }
  }

  private static String values(Map<String, Object> values) {
    Map<String, String> out = new LinkedHashMap<>();
    values.forEach(
        (k, v) ->
            out.put(
                k,
                v instanceof byte[] b
                    ? "bytes:" + HexFormat.of().formatHex(b)
                    : v instanceof String s && s.length() > 40
                        ? "text of " + s.length()
                        : String.valueOf(v)));
    return out.toString();
  }
}
