package io.migrationstudio.core.cdc.apply;

import io.migrationstudio.core.canonical.RowCodec;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.copy.SourceRows;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.schema.ForeignKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Removes from the target the child rows a MariaDB/MySQL source's foreign-key action removed or
 * nulled where neither the binlog nor {@link CascadeCarrier} could say so: a grandchild copied in a
 * chunk read before its grandparent's delete, whose child row was in a child chunk read after it
 * (that chunk no longer held the child, so no carry ever learnt its key).
 *
 * <p><b>The algorithm</b>, run with the stream held at a source position {@code P}: the target
 * holds exactly the logged source transactions up to {@code P} (the stream has passed the copy),
 * and {@code src} reads the source's snapshot at {@code P}. For each foreign key with an action the
 * log does not carry ({@code ON DELETE CASCADE / SET NULL / SET DEFAULT}, {@code ON UPDATE ...}),
 * the target's orphans (a non-null reference no parent row has) are read in key order, {@link
 * #BATCH} at a time, and their source rows looked up by key: a row the source does not have at
 * {@code P} is deleted; a row whose reference the source has set to NULL ({@code SET NULL}) has it
 * nulled; a row the source still has with its reference is a real orphan (a source loaded with
 * {@code foreign_key_checks = 0}) and stays, for {@link ForeignKeyValidation} to report. A table
 * that lost rows is a parent whose own children are examined next, down to {@link
 * CascadeCarrier#MAX_DEPTH} levels. Everything runs in the caller's one target transaction, in
 * replica mode when the user may (the target's own actions do not fire: each level is asked of the
 * source), so it commits whole or not at all; deleting and nulling by key are idempotent, and
 * everything the stream applies after {@code P} comes after it.
 *
 * <p>A child whose key or reference columns are computed by the mapping (an expression or a value
 * map) is left to the report: its keys cannot be asked of the source by the target's values.
 */
public final class CascadeOrphans {
  /** Orphans looked up on the source per query. */
  static final int BATCH = 500;

  /** What the sweep did to the rows of one foreign key's child table. */
  public record Removed(String table, String constraint, long deleted, long nulled, long kept) {
    /** One line for the report and the log. */
    public String line() {
      return table
          + " ("
          + constraint
          + "): "
          + deleted
          + " row(s) deleted, "
          + nulled
          + " reference(s) set to NULL as the source's cascade did"
          + (kept == 0 ? "" : ", " + kept + " orphan(s) the source has too kept");
    }
  }

  private final Dialect source;
  private final Dialect target;

  public CascadeOrphans(Dialect source, Dialect target) {
    this.source = source;
    this.target = target;
  }

  /**
   * Whether a migration from {@code source} may need the sweep: its log lacks the rows its
   * foreign-key actions changed.
   */
  public static boolean needed(Dialect source) {
    return !ApplySession.logsCascades(source);
  }

  /**
   * Whether {@code fk}'s action changes child rows the log does not carry (on delete or on update).
   */
  static boolean acts(ForeignKey fk) {
    return acting(fk.onDelete()) || acting(fk.onUpdate());
  }

  private static boolean acting(String rule) {
    String a = rule.trim().toUpperCase(Locale.ROOT).replace('_', ' ');
    return a.equals("CASCADE") || a.equals("SET NULL") || a.equals("SET DEFAULT");
  }

  /**
   * Whether any acting foreign key of {@code mapping} has an orphan on the target ({@code tgt}):
   * cheap enough to decide whether the stream must be held for {@link #sweep}.
   */
  public boolean anyOrphan(Connection tgt, MappingDocument mapping) throws SQLException {
    String schema = TableSql.targetSchema(mapping, target);
    for (TableMapping t : mapping.tables()) {
      for (ForeignKey fk : t.foreignKeys()) {
        if (acts(fk)) {
          try (Statement st = tgt.createStatement();
              ResultSet rs =
                  st.executeQuery("SELECT EXISTS (SELECT 1" + orphanFrom(schema, t, fk) + ")")) {
            rs.next();
            if (rs.getBoolean(1)) {
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  /**
   * Sweeps the orphans of every acting foreign key of {@code mapping}: {@code src} reads the source
   * at the position {@code at} the target ({@code tgt}, in a transaction the caller commits) holds
   * (null: the stream applied nothing yet). The tables it writes are marked changed whole for
   * {@code migration} at {@code at} ({@link ChunkChanges}), so no earlier proof of them is reused.
   * Returns what it did per foreign key that had orphans.
   */
  public List<Removed> sweep(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String studioSchema,
      String migration,
      StreamPosition at)
      throws SQLException {
    try (Statement st = tgt.createStatement()) {
      st.execute("SET LOCAL " + ApplySession.APPLYING + " = 'on'"); // no on-update trigger
      if (ApplySession.mayReplica(tgt)) {
        st.execute("SET LOCAL session_replication_role = replica");
      }
    }
    ChunkChanges.Pending written = new ChunkChanges.Pending();
    Map<String, long[]> counts = new java.util.LinkedHashMap<>();
    Set<String> parents = null; // null: every table (the first level)
    for (int level = 0; level < CascadeCarrier.MAX_DEPTH; level++) {
      Set<String> lost = new HashSet<>();
      for (TableMapping t : mapping.tables()) {
        for (ForeignKey fk : t.foreignKeys()) {
          if (acts(fk) && (parents == null || parents.contains(fk.refTable()))) {
            long[] c = sweep(src, tgt, mapping, t, fk);
            if (c[0] + c[1] + c[2] > 0) {
              long[] sum =
                  counts.computeIfAbsent(t.target() + "\u0000" + fk.name(), k -> new long[3]);
              sum[0] += c[0];
              sum[1] += c[1];
              sum[2] = Math.max(sum[2], c[2]);
            }
            if (c[0] > 0 || c[1] > 0) {
              lost.add(t.target());
              if (at != null) {
                written.mark(t.source(), ChunkChanges.WHOLE_TABLE, at);
              }
            }
          }
        }
      }
      if (lost.isEmpty()) {
        break;
      }
      parents = lost;
    }
    if (!written.isEmpty()) {
      ChunkChanges marks = new ChunkChanges(target, studioSchema);
      marks.create(tgt);
      marks.add(tgt, migration, written);
    }
    List<Removed> out = new ArrayList<>();
    counts.forEach(
        (k, c) -> {
          String[] tc = k.split("\u0000", 2);
          out.add(new Removed(tc[0], tc[1], c[0], c[1], c[2]));
        });
    return out;
  }

  /** {deleted, nulled, kept} for {@code fk}'s orphans in {@code t}. */
  private long[] sweep(
      Connection src, Connection tgt, MappingDocument mapping, TableMapping t, ForeignKey fk)
      throws SQLException {
    long[] out = new long[3];
    TableSql sql = new TableSql(source, target, mapping, t);
    if (!askable(t, fk)) {
      return out;
    }
    SourceRows reader = SourceRows.of(sql);
    RowCodec codec = reader.codec();
    int[] refs = positions(sql, fk.columns());
    boolean nulls = setsNull(fk);
    String schema = TableSql.targetSchema(mapping, target);
    List<String> after = null;
    while (true) {
      List<Orphan> batch = orphans(tgt, schema, sql, codec, fk, after);
      if (batch.isEmpty()) {
        return out;
      }
      Map<String, Object[]> there = sourceRows(src, sql, reader, codec, batch);
      List<List<String>> delete = new ArrayList<>();
      List<List<String>> nullify = new ArrayList<>();
      for (Orphan o : batch) {
        Object[] s = there.get(codec.keyEncoding(o.values()));
        if (s == null) {
          delete.add(o.key());
        } else if (nulls && allNull(s, refs)) {
          nullify.add(o.key());
        } else {
          out[2]++;
        }
      }
      out[0] += write(tgt, sql, "DELETE FROM " + sql.targetFrom(), delete);
      out[1] += write(tgt, sql, nullSet(sql, fk), nullify);
      after = batch.get(batch.size() - 1).key();
    }
  }

  /** A target orphan: its row as the codec reads it and its key as text. */
  private record Orphan(Object[] values, List<String> key) {}

  /**
   * Whether {@code t}'s key and {@code fk}'s columns are copied plainly, so the source is asked.
   */
  private static boolean askable(TableMapping t, ForeignKey fk) {
    if (t.primaryKey().isEmpty()) {
      return false;
    }
    List<String> cols = new ArrayList<>(t.primaryKey());
    cols.addAll(fk.columns());
    for (String c : cols) {
      ColumnMapping m = t.byTarget(c).orElse(null);
      if (m == null || m.source() == null || m.expression() != null || m.values() != null) {
        return false;
      }
    }
    return true;
  }

  private static boolean setsNull(ForeignKey fk) {
    return fk.onDelete().trim().toUpperCase(Locale.ROOT).replace('_', ' ').equals("SET NULL")
        || fk.onUpdate().trim().toUpperCase(Locale.ROOT).replace('_', ' ').equals("SET NULL");
  }

  private static boolean allNull(Object[] row, int[] positions) {
    for (int p : positions) {
      if (p < 0 || row[p] != null) {
        return false;
      }
    }
    return true;
  }

  private static int[] positions(TableSql sql, List<String> columns) {
    List<ColumnMapping> copied = sql.copiedColumns();
    int[] out = new int[columns.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = -1;
      for (int c = 0; c < copied.size(); c++) {
        if (copied.get(c).target().equals(columns.get(i))) {
          out[i] = c;
        }
      }
    }
    return out;
  }

  /** {@code FROM child c WHERE} its reference is set and no parent row has it. */
  private String orphanFrom(String schema, TableMapping t, ForeignKey fk) {
    StringBuilder where =
        new StringBuilder(" FROM " + target.qualify(schema, t.target()) + " c WHERE ");
    StringBuilder match = new StringBuilder();
    for (int i = 0; i < fk.columns().size(); i++) {
      String col = "c." + target.quote(fk.columns().get(i));
      where.append(col).append(" IS NOT NULL AND ");
      match.append(i == 0 ? "" : " AND ").append("p.").append(target.quote(fk.refColumns().get(i)));
      match.append(" = ").append(col);
    }
    return where
        .append("NOT EXISTS (SELECT 1 FROM ")
        .append(target.qualify(schema, fk.refTable()))
        .append(" p WHERE ")
        .append(match)
        .append(")")
        .toString();
  }

  /** The next {@link #BATCH} orphans of {@code fk} in key order, after the key {@code after}. */
  private List<Orphan> orphans(
      Connection tgt,
      String schema,
      TableSql sql,
      RowCodec codec,
      ForeignKey fk,
      List<String> after)
      throws SQLException {
    List<String> keys = sql.table().primaryKey();
    StringBuilder q = new StringBuilder("SELECT ");
    for (ColumnMapping c : sql.copiedColumns()) {
      q.append("c.").append(target.quote(c.target())).append(", ");
    }
    List<String> cols = new ArrayList<>();
    List<String> binds = new ArrayList<>();
    for (String k : keys) {
      cols.add("c." + target.quote(k));
      binds.add("CAST(? AS " + sql.keyColumnOf(k).type() + ")");
    }
    for (int i = 0; i < cols.size(); i++) {
      q.append(i == 0 ? "" : ", ").append("CAST(").append(cols.get(i)).append(" AS text)");
    }
    q.append(orphanFrom(schema, sql.table(), fk));
    if (after != null) {
      q.append(" AND (").append(String.join(", ", cols)).append(") > (");
      q.append(String.join(", ", binds)).append(")");
    }
    q.append(" ORDER BY ").append(String.join(", ", cols)).append(" LIMIT ").append(BATCH);
    List<Orphan> out = new ArrayList<>();
    try (PreparedStatement ps = tgt.prepareStatement(q.toString())) {
      for (int i = 0; after != null && i < after.size(); i++) {
        ps.setString(i + 1, after.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Object[] values = codec.read(rs);
          List<String> key = new ArrayList<>();
          for (int i = 0; i < keys.size(); i++) {
            key.add(rs.getString(codec.size() + 1 + i));
          }
          out.add(new Orphan(values, key));
        }
      }
    }
    return out;
  }

  /** The source rows of {@code batch}'s keys, read through the mapping, by key encoding. */
  private static Map<String, Object[]> sourceRows(
      Connection src, TableSql sql, SourceRows reader, RowCodec codec, List<Orphan> batch)
      throws SQLException {
    Map<String, Object[]> out = new HashMap<>();
    try (PreparedStatement ps = src.prepareStatement(sql.sourceByKeys(null, batch.size()))) {
      sql.bindSourceKeys(ps, batch.stream().map(Orphan::key).toList());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Object[] v = reader.read(rs);
          out.put(codec.keyEncoding(v), v);
        }
      }
    }
    return out;
  }

  private String nullSet(TableSql sql, ForeignKey fk) {
    StringBuilder sb = new StringBuilder("UPDATE ").append(sql.targetFrom()).append(" SET ");
    for (int i = 0; i < fk.columns().size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(target.quote(fk.columns().get(i))).append(" = NULL");
    }
    return sb.toString();
  }

  /** Runs {@code head} {@code WHERE (key) IN (...)} for {@code keys}; the rows it reached. */
  private long write(Connection tgt, TableSql sql, String head, List<List<String>> keys)
      throws SQLException {
    if (keys.isEmpty()) {
      return 0;
    }
    List<String> cols = new ArrayList<>();
    List<String> binds = new ArrayList<>();
    for (String k : sql.table().primaryKey()) {
      cols.add(target.quote(k));
      binds.add("CAST(? AS " + sql.keyColumnOf(k).type() + ")");
    }
    String one = "(" + String.join(", ", binds) + ")";
    StringBuilder q = new StringBuilder(head).append(" WHERE (").append(String.join(", ", cols));
    q.append(") IN (");
    for (int i = 0; i < keys.size(); i++) {
      q.append(i == 0 ? "" : ", ").append(one);
    }
    q.append(")");
    try (PreparedStatement ps = tgt.prepareStatement(q.toString())) {
      int p = 1;
      for (List<String> key : keys) {
        for (String v : key) {
          ps.setString(p++, v);
        }
      }
      return ps.executeUpdate();
    }
  }
}
