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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which rows the change stream changed, {@code <studio>.row_changes}: per migration, table (its
 * source name) and row key, the row's key on both sides, the commit position of its last change and
 * how many changes it took. The cutover's final check reads the rows changed after the Validation's
 * proof and compares exactly those ({@code core.cutover.FinalCheck}), so its time grows with the
 * writes since the proof, not with the database.
 *
 * <p><b>Exactly once, with the position.</b> {@link ChangeApplier} adds one batch's rows in the
 * same target transaction as the changes and the stream position, with one multi-row upsert (rows
 * of a batch merged first): a crash leaves the batch, its position and its record together or none
 * of them. The table is logged, not {@code UNLOGGED}: an unlogged table is emptied by a crash of
 * the target server while the position it was written with survives, and the record would then miss
 * rows without a trace.
 *
 * <p><b>Coverage.</b> Besides the rows, each capture has one coverage row ({@code table_name}
 * empty, {@code source_key} the capture): the position the record starts after ({@code
 * position_key} of the first recorded batch's starting position, empty: from the start), the
 * stream's transaction counter at that point ({@code target_key}) and the transactions recorded
 * since ({@code changes}). The record is complete for every position after its start exactly when
 * start + recorded equals the counter of {@code stream_position}: any transaction applied without a
 * record (by a studio that did not record, or the record removed) leaves them apart for good, and
 * the final check then compares every table in full instead ({@link #coverage}).
 *
 * <p>Every change of a table in scope is recorded (applied or skipped by the copy hand-off); a
 * key-changing update records both keys; a TRUNCATE, and a key that cannot be bound back to the
 * source as text (binary keys across engines), record the whole table ({@link #WHOLE_TABLE}). A
 * write the stream does not carry (made on the target directly) records nothing: finding those is
 * the full Validation's job.
 */
public final class RowChanges {
  /** The {@code source_key} of a mark that covers every row of its table. */
  public static final String WHOLE_TABLE = "*";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String table;

  public RowChanges(Dialect target, String studioSchema) {
    this.table = target.qualify(studioSchema, "row_changes");
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

  /** Creates the table and its position index when missing. */
  public void create(Connection target) throws SQLException {
    try (Statement st = target.createStatement()) {
      st.execute(
          "CREATE TABLE IF NOT EXISTS "
              + table
              + " (migration text NOT NULL, table_name text NOT NULL, source_key text NOT NULL,"
              + " target_key text NOT NULL, last_position text NOT NULL,"
              + " position_key text COLLATE \"C\" NOT NULL, changes bigint NOT NULL,"
              + " PRIMARY KEY (migration, table_name, source_key))");
      st.execute(
          "CREATE INDEX IF NOT EXISTS row_changes_since ON "
              + table
              + " (migration, position_key)");
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

  /** The rows of one target transaction, merged by key before they are written. */
  static final class Pending {
    private final Map<String, Object[]> rows = new LinkedHashMap<>();

    void row(String sourceTable, String[] sourceKey, String[] targetKey, StreamPosition commit) {
      if (sourceKey == null || targetKey == null) {
        whole(sourceTable, commit);
        return;
      }
      put(sourceTable, json(sourceKey), json(targetKey), commit);
    }

    void whole(String sourceTable, StreamPosition commit) {
      put(sourceTable, WHOLE_TABLE, WHOLE_TABLE, commit);
    }

    private void put(String t, String source, String target, StreamPosition commit) {
      Objects.requireNonNull(commit, "commit");
      Object[] r = rows.computeIfAbsent(t + '\u0000' + source, k -> new Object[4]);
      r[0] = new String[] {t, source, target};
      r[1] = commit;
      r[2] = r[2] == null ? 1L : (Long) r[2] + 1;
    }

    int size() {
      return rows.size();
    }
  }

  /**
   * Adds {@code pending} and the batch's {@code applied} transactions to the record of {@code
   * capture}, in the caller's transaction: {@code before} is what {@code stream_position} held
   * before the batch (empty: nothing applied yet), {@code last} the batch's last commit position.
   */
  void add(
      Connection target,
      String migration,
      String capture,
      Pending pending,
      Optional<StreamPositions.Stored> before,
      int applied,
      StreamPosition last)
      throws SQLException {
    int n = pending.size() + 1;
    String[] tables = new String[n];
    String[] sources = new String[n];
    String[] targets = new String[n];
    String[] positions = new String[n];
    String[] orders = new String[n];
    Long[] counts = new Long[n];
    int i = 0;
    for (Object[] r : pending.rows.values()) {
      String[] k = (String[]) r[0];
      StreamPosition p = (StreamPosition) r[1];
      tables[i] = k[0];
      sources[i] = k[1];
      targets[i] = k[2];
      positions[i] = p.text();
      orders[i] = order(p);
      counts[i] = (Long) r[2];
      i++;
    }
    // the coverage row: created with the starting position and counter, then counts on
    tables[i] = "";
    sources[i] = capture;
    targets[i] = Long.toString(before.map(StreamPositions.Stored::transactions).orElse(0L));
    positions[i] = last.text();
    orders[i] = order(before.map(StreamPositions.Stored::position).orElse(null));
    counts[i] = (long) applied;
    try (PreparedStatement ps =
        target.prepareStatement(
            "INSERT INTO "
                + table
                + " AS r (migration, table_name, source_key, target_key, last_position,"
                + " position_key, changes) SELECT ?, u.t, u.s, u.k, u.p, u.o, u.c FROM"
                + " unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[])"
                + " AS u(t, s, k, p, o, c) ON CONFLICT (migration, table_name, source_key) DO"
                + " UPDATE SET last_position = EXCLUDED.last_position, position_key = CASE WHEN"
                + " r.table_name = '' THEN r.position_key ELSE EXCLUDED.position_key END,"
                + " changes = r.changes + EXCLUDED.changes")) {
      ps.setString(1, migration);
      ps.setArray(2, target.createArrayOf("text", tables));
      ps.setArray(3, target.createArrayOf("text", sources));
      ps.setArray(4, target.createArrayOf("text", targets));
      ps.setArray(5, target.createArrayOf("text", positions));
      ps.setArray(6, target.createArrayOf("text", orders));
      ps.setArray(7, target.createArrayOf("bigint", counts));
      ps.executeUpdate();
    }
  }

  /** Whether the table exists (a query of a missing table would end the caller's transaction). */
  public boolean exists(Connection target) throws SQLException {
    try (PreparedStatement ps = target.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /**
   * Whether the record of {@code capture} holds every row the stream changed after {@code proof}
   * (null: from the stream's start), read against {@code positions}' counter.
   */
  public Coverage coverage(
      Connection target,
      String migration,
      String capture,
      StreamPositions positions,
      StreamPosition proof)
      throws SQLException {
    if (!exists(target)) {
      return new Coverage(false, "the target has no " + table + " (a studio that did not record)");
    }
    Optional<StreamPositions.Stored> stream = positions.read(target, capture);
    long applied = stream.map(StreamPositions.Stored::transactions).orElse(0L);
    try (PreparedStatement ps =
        target.prepareStatement(
            "SELECT target_key, position_key, changes FROM "
                + table
                + " WHERE migration = ? AND table_name = '' AND source_key = ?")) {
      ps.setString(1, migration);
      ps.setString(2, capture);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return applied == 0
              ? new Coverage(true, "the stream applied nothing yet")
              : new Coverage(
                  false,
                  "no record of the stream "
                      + capture
                      + " although it applied "
                      + applied
                      + " transactions");
        }
        long base = Long.parseLong(rs.getString(1));
        String from = rs.getString(2);
        long recorded = rs.getLong(3);
        if (base + recorded != applied) {
          return new Coverage(
              false,
              "the stream "
                  + capture
                  + " applied "
                  + applied
                  + " transactions, the record holds "
                  + recorded
                  + " after the first "
                  + base
                  + ": some were applied without it");
        }
        if (from.compareTo(order(proof)) > 0) {
          return new Coverage(
              false,
              "the record starts after the proof's position "
                  + (proof == null ? "(the stream's start)" : proof.text()));
        }
        return new Coverage(
            true, recorded + " transactions recorded, " + base + " before the record started");
      }
    }
  }

  /**
   * The rows of {@code migration} changed after {@code proof} (null: every recorded row), by source
   * table; a table marked whole has one entry with null keys.
   */
  public Map<String, List<Changed>> since(Connection target, String migration, StreamPosition proof)
      throws SQLException {
    Map<String, List<Changed>> out = new TreeMap<>();
    try (PreparedStatement ps =
        target.prepareStatement(
            "SELECT table_name, source_key, target_key FROM "
                + table
                + " WHERE migration = ? AND table_name <> '' AND position_key > ?")) {
      ps.setString(1, migration);
      ps.setString(2, order(proof));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String t = rs.getString(1);
          String s = rs.getString(2);
          Changed c =
              WHOLE_TABLE.equals(s)
                  ? new Changed(t, null, null)
                  : new Changed(t, parse(s), parse(rs.getString(3)));
          out.computeIfAbsent(t, k -> new ArrayList<>()).add(c);
        }
      }
    }
    return out;
  }

  private static String json(String[] values) {
    try {
      return JSON.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a key as JSON", e);
    }
  }

  private static List<String> parse(String json) {
    try {
      return java.util.Arrays.asList(JSON.readValue(json, String[].class));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("not a key of " + "row_changes: " + json, e);
    }
  }
}
