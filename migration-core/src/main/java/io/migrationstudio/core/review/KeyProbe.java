package io.migrationstudio.core.review;

import io.migrationstudio.core.canonical.Unconvertible;
import io.migrationstudio.core.copy.SourceRows;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingExpressions;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.mapping.TargetType;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.review.Finding.Level;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.TableInfo;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The compatibility review's "duplicates under a new or changed unique key": for every target
 * primary or unique key whose uniqueness the source does not already guarantee, every source row is
 * read through {@link SourceRows} (Migrate's reader: casts, CEL transforms and value maps applied)
 * and its target key compared with the others' as the target compares it.
 *
 * <p>A key needs the measurement when
 *
 * <ul>
 *   <li>the source has no primary or unique key on the same columns (a key new in the mapping);
 *   <li>a key column is computed (TRANSFORM, DERIVE, DEFAULT, a value map) or cast to a type that
 *       can merge values (a narrower number, a date from a timestamp, anything not a widening);
 *   <li>the target compares a key column case-insensitively ({@code citext}, a {@code COLLATE} in
 *       the type): the values are then compared lower-cased, so case-sensitive source data (e.g. a
 *       {@code utf8mb4_bin} column with {@code abc} and {@code ABC}) is caught.
 * </ul>
 *
 * A source key under a case-, accent- or pad-insensitive collation mapped to an exact target
 * comparison needs no measurement: values distinct under the looser rule stay distinct under the
 * stricter one.
 *
 * <p>Memory is bounded: keys are kept in a hash map of at most {@link #KEYS_IN_MEMORY} entries. A
 * table with more rows is read in several passes, each keeping only the keys whose hash falls in
 * its partition, so the count stays exact. NULL components never collide (as in PostgreSQL) and
 * values Migrate would quarantine are skipped (the other checks name them).
 */
final class KeyProbe {
  /** Distinct keys one pass keeps in memory. */
  static final int KEYS_IN_MEMORY = 500_000;

  private KeyProbe() {}

  /** A target key to measure: its name, target columns and why. */
  record Key(String name, List<String> columns, String why) {}

  /** The keys of {@code table} that need the measurement (see the class comment). */
  static List<Key> keys(TableMapping table, TableInfo info) {
    List<KeyConstraint> targetKeys = new ArrayList<>();
    if (!table.primaryKey().isEmpty()) {
      targetKeys.add(new KeyConstraint("primary key", table.primaryKey()));
    }
    targetKeys.addAll(table.uniqueKeys());
    List<Set<String>> sourceKeys = new ArrayList<>();
    if (info.primaryKey() != null) {
      sourceKeys.add(Set.copyOf(info.primaryKey().columns()));
    }
    info.uniqueKeys().forEach(k -> sourceKeys.add(Set.copyOf(k.columns())));
    List<Key> out = new ArrayList<>();
    for (KeyConstraint k : targetKeys) {
      List<String> reasons = new ArrayList<>();
      Set<String> sources = new HashSet<>();
      for (String target : k.columns()) {
        Optional<ColumnMapping> c = table.byTarget(target);
        if (c.isEmpty()) {
          continue; // the loader names it
        }
        ColumnMapping m = c.get();
        if (MappingExpressions.computed(m)) {
          reasons.add(target + " is " + (m.hasValueMap() ? "value-mapped" : m.disposition().key()));
        } else if (m.disposition() == Disposition.CAST
            && mayMerge(info.column(m.source()).orElse(null), m)) {
          reasons.add(target + " is cast to " + m.type());
        }
        if (caseInsensitive(m)) {
          reasons.add(target + " compares case-insensitively on the target (" + m.type() + ")");
        }
        if (m.source() != null && !MappingExpressions.computed(m)) {
          sources.add(m.source());
        }
      }
      boolean inSource =
          sources.size() == k.columns().size()
              && sourceKeys.stream().anyMatch(s -> sources.containsAll(s));
      if (!inSource) {
        reasons.add("the source has no unique key on these columns");
      }
      if (!reasons.isEmpty()) {
        out.add(new Key(k.name(), k.columns(), String.join("; ", reasons)));
      }
    }
    return out;
  }

  /** Whether a cast can make two distinct source values equal on the target. */
  static boolean mayMerge(Column src, ColumnMapping c) {
    if (src == null) {
      return true;
    }
    CanonicalType from = src.type();
    TargetType tt = TargetType.parse(c.type());
    CanonicalType to = tt.canonical();
    if (from.isInteger() && to.isInteger()) {
      return false; // a narrower integer refuses, it does not merge
    }
    if (from.isInteger() && to == CanonicalType.DECIMAL) {
      return false;
    }
    if (from.isText() && to.isText()) {
      return caseInsensitive(c);
    }
    return from != to
        || (to == CanonicalType.DECIMAL
            && (tt.scale() != null && (src.scale() == null || src.scale() > tt.scale())));
  }

  static boolean caseInsensitive(ColumnMapping c) {
    String t = c.type() == null ? "" : c.type().toLowerCase(Locale.ROOT);
    return t.contains("citext") || t.contains(" collate ");
  }

  /** Measures {@code keys} of one table; one finding per key. */
  static List<Finding> run(
      Connection source,
      Dialect dialect,
      Dialect target,
      MappingDocument mapping,
      TableMapping table,
      TableInfo info,
      List<Key> keys)
      throws SQLException {
    return run(source, dialect, target, mapping, table, info, keys, KEYS_IN_MEMORY);
  }

  /** {@link #run} keeping at most {@code keysInMemory} keys per pass (tests use a small bound). */
  static List<Finding> run(
      Connection source,
      Dialect dialect,
      Dialect target,
      MappingDocument mapping,
      TableMapping table,
      TableInfo info,
      List<Key> keys,
      int keysInMemory)
      throws SQLException {
    return run(
        source, dialect, target, mapping, table, info, keys, keysInMemory, EvidenceMask.masked());
  }

  /** {@link #run}, with the example row keys through {@code mask}. */
  static List<Finding> run(
      Connection source,
      Dialect dialect,
      Dialect target,
      MappingDocument mapping,
      TableMapping table,
      TableInfo info,
      List<Key> keys,
      int keysInMemory,
      EvidenceMask mask)
      throws SQLException {
    TableSql sql = new TableSql(dialect, target, mapping, table);
    SourceRows rows = SourceRows.of(sql);
    List<ColumnMapping> copied = sql.copiedColumns();
    List<String> pk = info.primaryKey() == null ? List.of() : info.primaryKey().columns();
    long total;
    try (PreparedStatement ps = source.prepareStatement(sql.sourceCount());
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      total = rs.getLong(1);
    }
    int passes = (int) Math.max(1, (total + keysInMemory - 1) / keysInMemory);
    List<Tally> tallies = new ArrayList<>();
    for (Key k : keys) {
      int[] index = new int[k.columns().size()];
      boolean[] fold = new boolean[index.length];
      for (int i = 0; i < index.length; i++) {
        String name = k.columns().get(i);
        index[i] = -1;
        for (int j = 0; j < copied.size(); j++) {
          if (copied.get(j).target().equals(name)) {
            index[i] = j;
            fold[i] = caseInsensitive(copied.get(j));
          }
        }
      }
      tallies.add(new Tally(k, index, fold));
    }
    boolean autoCommit = source.getAutoCommit();
    try {
      for (int pass = 0; pass < passes; pass++) {
        tallies.forEach(Tally::startPass);
        try (PreparedStatement ps =
                dialect.streamingQuery(source, sql.sourceScan(pk), RowProbe.FETCH_SIZE);
            ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Object[] values = rows.read(rs, pk.size() + 1);
            String rowKey = null;
            for (Tally t : tallies) {
              String key = t.key(values);
              if (key == null || Math.floorMod(key.hashCode(), passes) != pass) {
                continue;
              }
              if (rowKey == null) {
                rowKey = rowKey(rs, table.source(), pk, key, mask);
              }
              t.see(key, rowKey);
            }
          }
        }
        if (!source.getAutoCommit()) {
          source.rollback();
        }
      }
    } finally {
      if (!source.getAutoCommit()) {
        source.rollback(); // the streaming cursor's read-only transaction
      }
      source.setAutoCommit(autoCommit);
    }
    List<Finding> out = new ArrayList<>();
    for (Tally t : tallies) {
      String cols = String.join(", ", t.key.columns());
      out.add(
          t.duplicates > 0
              ? Finding.of(
                  Level.FAIL,
                  table.source(),
                  cols,
                  CompatibilityCheck.DUPLICATE_KEY,
                  t.duplicates,
                  null,
                  t.examples,
                  t.duplicates
                      + " source rows would repeat target "
                      + t.key.name()
                      + " ("
                      + cols
                      + ") of an earlier row ("
                      + t.key.why()
                      + "), so the key cannot be created or the rows are refused; change the"
                      + " transform, remove the key from mapping.yaml, or merge the rows on the"
                      + " source")
              : Finding.of(
                  Level.OK,
                  table.source(),
                  cols,
                  CompatibilityCheck.DUPLICATE_KEY,
                  0L,
                  null,
                  List.of(),
                  "target "
                      + t.key.name()
                      + " ("
                      + cols
                      + ") measured on "
                      + total
                      + " source rows as the target compares it ("
                      + t.key.why()
                      + "): no duplicate"));
    }
    return out;
  }

  /** The row's source key, or (keyless) the target key, masked unless plain. */
  private static String rowKey(
      ResultSet rs, String table, List<String> pk, String targetKey, EvidenceMask mask)
      throws SQLException {
    return pk.isEmpty()
        ? "key " + mask.text(table, null, targetKey.replace('\0', ','))
        : RowProbe.example(rs, table, pk, mask);
  }

  /** One key's state: the keys seen in this pass, and the duplicates over all passes. */
  private static final class Tally {
    private final Key key;
    private final int[] index;
    private final boolean[] fold;
    private final List<String> examples = new ArrayList<>();
    private Map<String, String> seen = new HashMap<>();
    private long duplicates;

    Tally(Key key, int[] index, boolean[] fold) {
      this.key = key;
      this.index = index;
      this.fold = fold;
    }

    void startPass() {
      seen = new HashMap<>();
    }

    /** The target key of a row as the target compares it; null when it cannot collide. */
    String key(Object[] values) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < index.length; i++) {
        if (index[i] < 0) {
          return null;
        }
        Object v = values[index[i]];
        if (v == null || v instanceof Unconvertible) {
          return null;
        }
        String text =
            v instanceof BigDecimal d
                ? (d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString())
                : v instanceof byte[] b ? HexFormat.of().formatHex(b) : v.toString();
        sb.append(i == 0 ? "" : "\0").append(fold[i] ? text.toLowerCase(Locale.ROOT) : text);
      }
      return sb.toString();
    }

    void see(String targetKey, String rowKey) {
      String first = seen.putIfAbsent(targetKey, rowKey);
      if (first != null) {
        duplicates++;
        if (examples.size() < CompatibilityReviewer.EXAMPLE_KEYS) {
          examples.add(rowKey + " (same target key as " + first + ")");
        }
      }
    }
  }
}
