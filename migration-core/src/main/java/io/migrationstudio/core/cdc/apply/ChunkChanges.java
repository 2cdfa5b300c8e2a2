package io.migrationstudio.core.cdc.apply;

import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.dialect.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which chunks the change stream touched, {@code <studio>.chunk_changes}: per migration, table (its
 * source name) and chunk of the ledger, how many streamed row changes fell into the chunk and the
 * commit position of the last one. The applier adds to it in the same target transaction as the
 * changes it applies ({@link ChangeApplier}), so a row's change and its chunk's mark commit or
 * vanish together; the counters only grow.
 *
 * <p>A re-validation reads the marks in its target snapshot and reuses the earlier proof of a chunk
 * whose mark did not move since then (see {@code core.validate.ChunkReuse}). Every change the
 * stream sees is marked, applied or skipped by the hand-off filter; a key-changing update marks
 * both keys' chunks; a TRUNCATE, a change of a table without ledger chunks, and a change of a table
 * whose several chunks are cut by a key that is not a number mark {@link #WHOLE_TABLE}. A write the
 * stream does not carry (made directly on the target, or a source write kept out of the log) marks
 * nothing.
 */
public final class ChunkChanges {
  /** The chunk number of a mark that covers every chunk of its table. */
  public static final int WHOLE_TABLE = -1;

  private final String table;

  public ChunkChanges(Dialect target, String studioSchema) {
    this.table = target.qualify(studioSchema, "chunk_changes");
  }

  /** A chunk's mark: changes streamed into it so far and the commit position of the last one. */
  public record Mark(long changes, String lastPosition) {
    public Mark {
      if (changes < 0) {
        throw new IllegalArgumentException("a chunk's change count is never negative: " + changes);
      }
    }
  }

  public String table() {
    return table;
  }

  /** Creates the table when missing. */
  public void create(Connection target) throws SQLException {
    try (Statement st = target.createStatement()) {
      st.execute(
          "CREATE TABLE IF NOT EXISTS "
              + table
              + " (migration text NOT NULL, table_name text NOT NULL, chunk integer NOT NULL,"
              + " changes bigint NOT NULL, last_position text NOT NULL,"
              + " PRIMARY KEY (migration, table_name, chunk))");
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
   * Every mark of {@code migration}: source table name, then chunk number ({@link #WHOLE_TABLE}
   * included); empty when the table does not exist.
   */
  public Map<String, Map<Integer, Mark>> read(Connection target, String migration)
      throws SQLException {
    Map<String, Map<Integer, Mark>> out = new TreeMap<>();
    if (!exists(target)) {
      return out;
    }
    try (PreparedStatement ps =
        target.prepareStatement(
            "SELECT table_name, chunk, changes, last_position FROM "
                + table
                + " WHERE migration = ? ORDER BY table_name, chunk")) {
      ps.setString(1, migration);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.computeIfAbsent(rs.getString(1), k -> new TreeMap<>())
              .put(rs.getInt(2), new Mark(rs.getLong(3), rs.getString(4)));
        }
      }
    }
    return out;
  }

  /** The marks of one target transaction, added up before they are written. */
  static final class Pending {
    private final Map<String, Map<Integer, long[]>> counts = new TreeMap<>();
    private final Map<String, Map<Integer, StreamPosition>> last = new HashMap<>();

    void mark(String sourceTable, int chunk, StreamPosition commit) {
      Objects.requireNonNull(commit, "commit");
      counts.computeIfAbsent(sourceTable, k -> new TreeMap<>())
          .computeIfAbsent(chunk, k -> new long[1])[0]++;
      last.computeIfAbsent(sourceTable, k -> new HashMap<>()).put(chunk, commit);
    }

    boolean isEmpty() {
      return counts.isEmpty();
    }
  }

  /** Adds {@code pending} to the marks, in the caller's transaction. */
  void add(Connection target, String migration, Pending pending) throws SQLException {
    if (pending.isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        target.prepareStatement(
            "INSERT INTO "
                + table
                + " AS m (migration, table_name, chunk, changes, last_position)"
                + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (migration, table_name, chunk) DO UPDATE"
                + " SET changes = m.changes + EXCLUDED.changes,"
                + " last_position = EXCLUDED.last_position")) {
      for (Map.Entry<String, Map<Integer, long[]>> t : pending.counts.entrySet()) {
        for (Map.Entry<Integer, long[]> c : t.getValue().entrySet()) {
          ps.setString(1, migration);
          ps.setString(2, t.getKey());
          ps.setInt(3, c.getKey());
          ps.setLong(4, c.getValue()[0]);
          ps.setString(5, pending.last.get(t.getKey()).get(c.getKey()).text());
          ps.addBatch();
        }
      }
      ps.executeBatch();
    }
  }
}
