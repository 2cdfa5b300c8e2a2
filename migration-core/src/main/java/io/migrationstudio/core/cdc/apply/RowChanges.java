package io.migrationstudio.core.cdc.apply;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.dialect.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which rows the change stream changed, {@code <studio>.row_changes}: one row per applied batch of
 * a capture, with the keys of the rows the batch changed (each table's rows once, with the row's
 * key on both sides), the stream position the batch started after and the one it ended at. The
 * cutover's final check reads the batches after the Validation's proof and compares exactly those
 * rows ({@code core.cutover.FinalCheck}), so its time grows with the writes since the proof, not
 * with the database.
 *
 * <p><b>Exactly once, with the position.</b> {@link ChangeApplier} inserts a batch's row in the
 * same target transaction as the changes and the stream position: a crash leaves the batch, its
 * position and its record together or none of them. One insert of one row per batch (the keys as
 * one JSON text, compressed by the server) keeps the cost to the apply small: a row per changed row
 * with its own index entries cost a quarter to a third of the apply's time in a measurement of
 * 1,000-row batches. The table is logged, not {@code UNLOGGED}: an unlogged table is emptied by a
 * crash of the target server while the position it was written with survives (that would be
 * detected below and fall back to the full check, but for no gain: the insert is not where the time
 * goes).
 *
 * <p><b>Coverage.</b> The record is complete after a position {@code P} when its batches after
 * {@code P} form an unbroken chain: the first starts at or before {@code P}, each starts where the
 * previous ended, and the last ends at the position {@code stream_position} holds ({@link
 * #coverage}). Any transaction applied without a record (by a studio that did not record, or a
 * record removed) breaks the chain for good, and the final check then compares every table in full.
 *
 * <p>Every change of a table in scope is recorded (applied or skipped by the copy hand-off); a
 * key-changing update records both keys; a TRUNCATE, and a key that cannot be bound back to the
 * source as text (binary keys across engines), record the whole table. A write the stream does not
 * carry (made on the target directly) records nothing: finding those is the full Validation's job.
 * The record grows with the changes the stream applies until the studio schema is removed (the
 * decommission).
 *
 * <p><b>Both engines.</b> The reverse appliers keep the same record on the source they write back
 * to: PostgreSQL through {@link ChangeApplier}, MariaDB through {@code
 * core.cutover.reverse.MariaDbRowChanges}, which creates the table with MariaDB's types and reads
 * the position from its own {@code stream_position}. Everything else (the batch row, the coverage
 * rule, the reading) is this class's dialect-neutral SQL: identifiers quoted by the {@link
 * Dialect}, the table found in {@code information_schema}.
 */
public final class RowChanges {
  /** The forward stream's point a coverage starts from: the last passed Validation's proof. */
  public static final String PROOF = "the proof";

  /** The reverse stream's point a coverage starts from: the cutover's switch. */
  public static final String SWITCH = "the switch";

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String NAME = "row_changes";

  private final String schema;
  private final String table;
  private final String keys;

  /** The record in {@code studioSchema} (a MariaDB database) of a database of {@code dialect}. */
  public RowChanges(Dialect dialect, String studioSchema) {
    this.schema = Objects.requireNonNull(studioSchema, "studioSchema");
    this.table = dialect.qualify(studioSchema, NAME);
    this.keys = dialect.quote("keys"); // a reserved word on MariaDB
  }

  public String table() {
    return table;
  }

  /** A changed row: its keys as text (source's, target's), or the whole table ({@code null}). */
  public record Changed(String table, List<String> sourceKey, List<String> targetKey) {
    public Changed {
      Objects.requireNonNull(table, "table");
      sourceKey =
          sourceKey == null
              ? null
              : java.util.Collections.unmodifiableList(new ArrayList<>(sourceKey));
      targetKey =
          targetKey == null
              ? null
              : java.util.Collections.unmodifiableList(new ArrayList<>(targetKey));
    }

    public boolean wholeTable() {
      return sourceKey == null;
    }
  }

  /**
   * Whether the record holds every row changed after {@code proof} (null: the stream's start), and
   * why not when it does not.
   */
  public record Coverage(boolean complete, String detail) {}

  /** Creates the table on a PostgreSQL database when missing. */
  public void create(Connection target) throws SQLException {
    try (Statement st = target.createStatement()) {
      st.execute(
          "CREATE TABLE IF NOT EXISTS "
              + table
              + " (migration text COLLATE \"C\" NOT NULL, capture text COLLATE \"C\" NOT NULL,"
              + " from_key text COLLATE \"C\" NOT NULL, to_key text COLLATE \"C\" NOT NULL,"
              + " to_position text NOT NULL, transactions integer NOT NULL, row_count integer NOT NULL,"
              + " keys text NOT NULL, PRIMARY KEY (migration, capture, to_key))");
    }
  }

  /**
   * {@code p} as text that sorts as positions do (byte order, {@code COLLATE "C"}): a WAL location
   * as 16 hex digits, a binlog coordinate as file and a 20-digit offset; empty for null (before
   * every position).
   */
  public static String order(StreamPosition p) {
    if (p == null) {
      return "";
    }
    if (p instanceof StreamPosition.PgLsn l) {
      return "pg:" + String.format("%016x", l.value());
    }
    StreamPosition.BinlogPosition b = (StreamPosition.BinlogPosition) p;
    return "binlog:" + b.file() + " " + String.format("%020d", b.offset());
  }

  /**
   * The rows of one applied transaction or batch, each once, in the order first seen, by the table
   * and key of the stream's source (the forward stream's source; the reverse stream's is the
   * forward target) and the key of the same row where the stream writes it.
   */
  public static final class Pending {
    /** table → source key JSON (null: the whole table) → {source key, key written}. */
    private final Map<String, Map<String, List<?>[]>> rows = new LinkedHashMap<>();

    /** A changed row; a null key (one the check cannot bind back) marks the whole table. */
    public void row(String sourceTable, String[] sourceKey, String[] writtenKey) {
      row(
          sourceTable,
          sourceKey == null ? null : Arrays.asList(sourceKey),
          writtenKey == null ? null : Arrays.asList(writtenKey));
    }

    /** A changed row; a null key (one the check cannot bind back) marks the whole table. */
    public void row(String sourceTable, List<String> sourceKey, List<String> writtenKey) {
      if (sourceKey == null || writtenKey == null) {
        whole(sourceTable);
        return;
      }
      Map<String, List<?>[]> keys = rows.computeIfAbsent(sourceTable, k -> new LinkedHashMap<>());
      if (!keys.containsKey(null)) {
        keys.putIfAbsent(RowChanges.json(sourceKey), new List<?>[] {sourceKey, writtenKey});
      }
    }

    public void whole(String sourceTable) {
      Map<String, List<?>[]> keys = rows.computeIfAbsent(sourceTable, k -> new LinkedHashMap<>());
      keys.clear();
      keys.put(null, null);
    }

    int size() {
      return rows.values().stream().mapToInt(Map::size).sum();
    }

    /** {@code [[table, [source key] or null, [key written] or null], ...]}. */
    String json() {
      List<Object[]> out = new ArrayList<>();
      rows.forEach(
          (t, keys) ->
              keys.values()
                  .forEach(
                      k ->
                          out.add(
                              new Object[] {t, k == null ? null : k[0], k == null ? null : k[1]})));
      try {
        return JSON.writeValueAsString(out);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot encode changed keys as JSON", e);
      }
    }
  }

  /**
   * Records one applied batch of {@code capture} in the caller's transaction: {@code before} is the
   * position {@code stream_position} held before it (null: nothing applied yet), {@code applied}
   * its transactions, {@code last} its last commit position.
   */
  public void add(
      Connection c,
      String migration,
      String capture,
      Pending pending,
      StreamPosition before,
      int applied,
      StreamPosition last)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + table
                + " (migration, capture, from_key, to_key, to_position, transactions, row_count, "
                + keys
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, migration);
      ps.setString(2, capture);
      ps.setString(3, order(before));
      ps.setString(4, order(last));
      ps.setString(5, last.text());
      ps.setInt(6, applied);
      ps.setInt(7, pending.size());
      ps.setString(8, pending.json());
      ps.executeUpdate();
    }
  }

  /**
   * Deletes the batches of {@code capture} that end at or before {@code upTo} (null: all of them):
   * a check only reads the batches after its proof, so those before it serve nothing. Returns the
   * batches deleted (0 when there is no record).
   */
  public int prune(Connection c, String migration, String capture, StreamPosition upTo)
      throws SQLException {
    if (!exists(c)) {
      return 0;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "DELETE FROM "
                + table
                + " WHERE migration = ? AND capture = ?"
                + (upTo == null ? "" : " AND to_key <= ?"))) {
      ps.setString(1, migration);
      ps.setString(2, capture);
      if (upTo != null) {
        ps.setString(3, order(upTo));
      }
      return ps.executeUpdate();
    }
  }

  /** Whether the table exists (a query of a missing table would end the caller's transaction). */
  public boolean exists(Connection c) throws SQLException {
    return exists(c, schema, NAME);
  }

  /**
   * Whether {@code schema} (a MariaDB database) holds a table {@code name}, asked of {@code
   * information_schema} as both engines have it.
   */
  public static boolean exists(Connection c, String schema, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?")) {
      ps.setString(1, schema);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Whether the record of {@code capture} holds every row the stream changed after {@code proof}
   * (null: from the stream's start), read against the position {@code positions} holds; the detail
   * calls the position {@link #PROOF}.
   */
  public Coverage coverage(
      Connection target,
      String migration,
      String capture,
      StreamPositions positions,
      StreamPosition proof)
      throws SQLException {
    return coverage(target, migration, capture, positions, proof, PROOF);
  }

  /**
   * {@link #coverage(Connection, String, String, StreamPositions, StreamPosition)}, the detail
   * calling position {@code from} {@code point} ({@link #PROOF}, {@link #SWITCH}).
   */
  public Coverage coverage(
      Connection target,
      String migration,
      String capture,
      StreamPositions positions,
      StreamPosition from,
      String point)
      throws SQLException {
    StreamPosition now =
        positions.read(target, capture).map(StreamPositions.Stored::position).orElse(null);
    return coverage(target, migration, capture, now, from, point);
  }

  /**
   * {@link #coverage(Connection, String, String, StreamPositions, StreamPosition, String)} against
   * the position {@code now} the stream's {@code stream_position} holds (null: none), for a
   * database that keeps it in its own table.
   */
  public Coverage coverage(
      Connection c,
      String migration,
      String capture,
      StreamPosition now,
      StreamPosition from,
      String point)
      throws SQLException {
    String after = order(from);
    if (now == null || order(now).compareTo(after) <= 0) {
      return new Coverage(true, "the stream applied nothing after " + point);
    }
    if (!exists(c)) {
      return new Coverage(false, "there is no " + table + " (a studio that did not record)");
    }
    List<String[]> chain = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT from_key, to_key FROM "
                + table
                + " WHERE migration = ? AND capture = ? AND to_key > ? ORDER BY to_key")) {
      ps.setString(1, migration);
      ps.setString(2, capture);
      ps.setString(3, after);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          chain.add(new String[] {rs.getString(1), rs.getString(2)});
        }
      }
    }
    String gap =
        chain.isEmpty()
            ? "no batch recorded after " + point + " although the stream moved to " + now.text()
            : chain.get(0)[0].compareTo(after) > 0
                ? "the record starts after " + point + "'s position"
                : !chain.get(chain.size() - 1)[1].equals(order(now))
                    ? "the last recorded batch is not the stream's position " + now.text()
                    : null;
    for (int i = 1; gap == null && i < chain.size(); i++) {
      if (!chain.get(i)[0].equals(chain.get(i - 1)[1])) {
        gap = "a batch applied after " + point + " has no record";
      }
    }
    return gap == null
        ? new Coverage(true, chain.size() + " batches recorded after " + point + ", unbroken")
        : new Coverage(false, gap);
  }

  /**
   * The rows of {@code capture} changed after {@code proof} (null: every recorded row), each once,
   * by source table; a table marked whole has one entry with null keys.
   */
  public Map<String, List<Changed>> since(
      Connection c, String migration, String capture, StreamPosition proof) throws SQLException {
    Map<String, Map<String, Changed>> rows = new TreeMap<>();
    if (!exists(c)) {
      return new TreeMap<>();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + keys
                + " FROM "
                + table
                + " WHERE migration = ? AND capture = ? AND to_key > ? ORDER BY to_key")) {
      ps.setString(1, migration);
      ps.setString(2, capture);
      ps.setString(3, order(proof));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          for (com.fasterxml.jackson.databind.JsonNode k : JSON.readTree(rs.getString(1))) {
            String t = k.get(0).asText();
            Map<String, Changed> keys = rows.computeIfAbsent(t, x -> new LinkedHashMap<>());
            if (keys.containsKey(null)) {
              continue;
            }
            if (k.get(1).isNull()) {
              keys.clear();
              keys.put(null, new Changed(t, null, null));
            } else {
              List<String> source = texts(k.get(1));
              keys.putIfAbsent(k.get(1).toString(), new Changed(t, source, texts(k.get(2))));
            }
          }
        }
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("not a record of changed keys in " + table, e);
    }
    Map<String, List<Changed>> out = new TreeMap<>();
    rows.forEach((t, keys) -> out.put(t, new ArrayList<>(keys.values())));
    return out;
  }

  private static List<String> texts(com.fasterxml.jackson.databind.JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.isNull() ? null : v.asText()));
    return out;
  }

  private static String json(List<String> values) {
    try {
      return JSON.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a key as JSON", e);
    }
  }
}
