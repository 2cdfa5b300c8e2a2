package io.migrationstudio.core.cdc.apply;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.cdc.RowChange;
import io.migrationstudio.core.copy.CopyText;
import io.migrationstudio.core.copy.SourceRows;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.expr.CompiledExpression;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingExpressions;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.schema.CanonicalType;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One mapped table as the applier writes it: the copy's {@link TableSql} and {@link SourceRows} (so
 * a change's values become target values by the copy's own code), the target key, which source
 * columns each target column is computed from (to tell which target values an unchanged TOAST value
 * leaves unknown), and the statements that write a change.
 *
 * <p>Values are bound as the text PostgreSQL's input functions read ({@link CopyText#literal}, the
 * copy's COPY text unescaped) with an unspecified type, so the server types each by its column.
 */
final class TableChanges {
  final TableMapping table;
  final TableSql sql;
  private final SourceRows rows;
  private final List<ColumnCodec> codecs;
  private final List<String> readColumns;
  private final List<String> targetColumns;
  private final int[] key;
  private final boolean[] keyMask;
  private final List<String> keySource;
  private final List<Set<String>> dependsOn;
  private final String chunkKey;
  private final KeyOrder order;
  private final Dialect target;
  private final Map<String, String> statements = new HashMap<>();

  TableChanges(
      Dialect source,
      Dialect target,
      MappingDocument mapping,
      TableMapping table,
      java.sql.Connection sourceForOrder) {
    this.table = table;
    this.target = target;
    // the target generates its generated columns itself; a change never writes them
    this.sql = new TableSql(source, target, mapping, table.written());
    if (table.primaryKey().isEmpty()) {
      throw new MigrationException(
          ErrorCode.INVALID_ARTIFACT,
          "table "
              + table.source()
              + " has no primary key in mapping.yaml, so a streamed change cannot find its row;"
              + " declare a primary key (or a unique key as one) for it, or leave it out of an"
              + " online migration");
    }
    if (table.filter() != null && !table.filter().isBlank()) {
      throw new MigrationException(
          ErrorCode.INVALID_ARTIFACT,
          "table "
              + table.source()
              + " has a row filter ("
              + table.filter()
              + "), which the stream cannot evaluate on a change; remove the filter or leave the"
              + " table out of an online migration");
    }
    this.rows = SourceRows.ofPlainColumns(sql);
    this.codecs = rows.codec().columns();
    List<String> read = new ArrayList<>();
    sql.projectedColumns().forEach(c -> read.add(c.source()));
    read.addAll(sql.expressionInputs());
    this.readColumns = List.copyOf(read);
    List<ColumnMapping> copied = sql.copiedColumns();
    this.targetColumns = copied.stream().map(ColumnMapping::target).toList();
    this.key = new int[table.primaryKey().size()];
    this.keyMask = new boolean[copied.size()];
    List<String> ks = new ArrayList<>();
    for (int i = 0; i < key.length; i++) {
      String k = table.primaryKey().get(i);
      key[i] = targetColumns.indexOf(k);
      if (key[i] < 0) {
        throw new MigrationException(
            ErrorCode.INVALID_ARTIFACT,
            "primary key column " + table.target() + "." + k + " is not copied; map it");
      }
      keyMask[key[i]] = true;
      ks.add(sql.keyColumnOf(k).source());
    }
    this.keySource = List.copyOf(ks);
    this.dependsOn = dependencies(sql, copied);
    ColumnMapping chunk = sql.chunkKey().orElse(null);
    this.chunkKey = chunk == null ? null : chunk.source();
    this.order = keyOrder(sql, chunk, sourceForOrder);
  }

  /** Which source columns each copied column is read from; null: the whole row. */
  private static List<Set<String>> dependencies(TableSql sql, List<ColumnMapping> copied) {
    List<Set<String>> out = new ArrayList<>();
    for (ColumnMapping c : copied) {
      if (!MappingExpressions.computed(c) || sql.valueMaps().containsKey(c.target())) {
        out.add(c.source() == null ? Set.of() : Set.of(c.source()));
      } else {
        CompiledExpression e = sql.expressions().get(c.target());
        out.add(e == null ? Set.of() : e.readsRow() ? null : new HashSet<>(e.columns()));
      }
    }
    return out;
  }

  /** Numbers numerically; other keys in the source's order when a source connection is given. */
  private static KeyOrder keyOrder(TableSql sql, ColumnMapping chunk, java.sql.Connection source) {
    if (chunk == null) {
      return KeyOrder.CODE_POINT; // one chunk: never compared
    }
    CanonicalType t = chunk.canonical();
    if (t != null && (t.isInteger() || t == CanonicalType.DECIMAL)) {
      return KeyOrder.NUMERIC;
    }
    if (source == null) {
      return KeyOrder.CODE_POINT;
    }
    return KeyOrder.onSource(
        source, sql.crossEngine() ? "?" : "CAST(? AS " + TableSql.sourceType(chunk) + ")");
  }

  KeyOrder order() {
    return order;
  }

  /** The source's text of the row's chunk key ({@code values} holds the row or its old key). */
  String chunkKeyText(Map<String, Object> values) {
    if (chunkKey == null) {
      return "";
    }
    Object v = values.get(chunkKey);
    if (v == null || v == RowChange.UNCHANGED) {
      throw new MigrationException(
          ErrorCode.INVALID_ARTIFACT,
          "a change of table "
              + table.source()
              + " carries no value for its chunk key "
              + chunkKey
              + " ("
              + values.keySet()
              + "); the source's replica identity must include the primary key");
    }
    return v instanceof byte[] b ? "\\x" + java.util.HexFormat.of().formatHex(b) : v.toString();
  }

  /**
   * The source's text of the row's key columns ({@code values} holds the row or its old key), as a
   * source query binds them back ({@code TableSql.bindSourceKey}); null when a value cannot be
   * bound back as text (a binary key across engines) or is missing: the row is then recorded as its
   * whole table.
   */
  String[] sourceKeyTexts(Map<String, Object> values) {
    String[] out = new String[keySource.size()];
    for (int i = 0; i < out.length; i++) {
      Object v = values.get(keySource.get(i));
      if (v == null || v == RowChange.UNCHANGED || (v instanceof byte[] && sql.crossEngine())) {
        return null;
      }
      out[i] = v instanceof byte[] b ? "\\x" + java.util.HexFormat.of().formatHex(b) : v.toString();
    }
    return out;
  }

  /** Whether {@code oldKey} names another row than {@code row} (a key-changing update). */
  boolean keyChanged(Map<String, Object> oldKey, Map<String, Object> row) {
    if (oldKey.isEmpty()) {
      return false;
    }
    for (String k : keySource) {
      Object a = oldKey.get(k);
      Object b = row.get(k);
      if (a instanceof byte[] x && b instanceof byte[] y ? !Arrays.equals(x, y) : !eq(a, b)) {
        return true;
      }
    }
    return false;
  }

  private static boolean eq(Object a, Object b) {
    return a == null ? b == null : a.equals(b);
  }

  /** A row converted: target values in target column order, and which of them are unknown. */
  record Converted(String[] values, boolean[] unchanged, String keyText) {
    boolean anyUnchanged() {
      for (boolean u : unchanged) {
        if (u) {
          return true;
        }
      }
      return false;
    }
  }

  /** {@code values} (a new row) as target values through the copy's reader. */
  Converted convert(Map<String, Object> values) throws SQLException {
    return convert(values, null);
  }

  /** {@code values} (an old key) as the target key through the copy's reader. */
  Converted convertKey(Map<String, Object> values) throws SQLException {
    return convert(values, keyMask);
  }

  private Converted convert(Map<String, Object> values, boolean[] wanted) throws SQLException {
    boolean[] unchanged = new boolean[targetColumns.size()];
    Map<String, Object> plain = values;
    if (values.containsValue(RowChange.UNCHANGED)) {
      plain = new LinkedHashMap<>(values);
      plain.replaceAll((k, v) -> v == RowChange.UNCHANGED ? null : v);
      for (int j = 0; j < unchanged.length; j++) {
        Set<String> deps = dependsOn.get(j);
        if (deps == null) {
          unchanged[j] = true;
        } else {
          for (String d : deps) {
            unchanged[j] |= values.get(d) == RowChange.UNCHANGED;
          }
        }
      }
    }
    java.sql.ResultSet rs = ChangeRow.of(readColumns, plain);
    Object[] read = wanted == null ? rows.read(rs) : rows.read(rs, wanted);
    String keyText = keyText(read);
    String[] out = new String[read.length];
    for (int j = 0; j < read.length; j++) {
      if (unchanged[j] || (wanted != null && !wanted[j])) {
        continue;
      }
      String reason = CopyText.unwritable(codecs.get(j), read[j]);
      if (reason != null) {
        throw new MigrationException(
            ErrorCode.UNSUPPORTED_TYPE,
            "a streamed change of table "
                + table.source()
                + " row "
                + keyText
                + " cannot be written to "
                + table.target()
                + "."
                + targetColumns.get(j)
                + ": "
                + reason
                + "; fix the row on the source or the column's mapping, then resume the stream");
      }
      out[j] = CopyText.literal(codecs.get(j), read[j]);
    }
    return new Converted(out, unchanged, keyText);
  }

  private String keyText(Object[] values) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < key.length; i++) {
      sb.append(i == 0 ? "" : ", ")
          .append(targetColumns.get(key[i]))
          .append('=')
          .append(values[key[i]] instanceof byte[] ? "<bytes>" : String.valueOf(values[key[i]]));
    }
    return sb.append(')').toString();
  }

  /** {@code values} (an old row) as the target values of {@code columns} (target names). */
  Converted convertColumns(Map<String, Object> values, List<String> columns) throws SQLException {
    boolean[] wanted = keyMask.clone();
    for (String c : columns) {
      int j = targetColumns.indexOf(c);
      if (j >= 0) {
        wanted[j] = true;
      }
    }
    return convert(values, wanted);
  }

  /** The values of {@code columns} (target names) in a converted row; null for one not copied. */
  String[] values(Converted c, List<String> columns) {
    String[] out = new String[columns.size()];
    for (int i = 0; i < out.length; i++) {
      int j = targetColumns.indexOf(columns.get(i));
      out[i] = j < 0 ? null : c.values()[j];
    }
    return out;
  }

  /** The target key's values of a converted row. */
  String[] keyValues(Converted c) {
    String[] out = new String[key.length];
    for (int i = 0; i < key.length; i++) {
      out[i] = c.values()[key[i]];
    }
    return out;
  }

  /** {@code INSERT ... ON CONFLICT (key) DO UPDATE SET} every other column: a full new row. */
  String upsert() {
    return statements.computeIfAbsent(
        "upsert",
        k -> {
          StringBuilder sb = new StringBuilder("INSERT INTO ").append(sql.targetTable());
          // an identity the source has GENERATED ALWAYS is ALWAYS on the target after the load
          sb.append(" (")
              .append(sql.targetColumnList())
              .append(") OVERRIDING SYSTEM VALUE VALUES (");
          for (int j = 0; j < targetColumns.size(); j++) {
            sb.append(j == 0 ? "?" : ", ?");
          }
          sb.append(") ON CONFLICT (").append(keyList()).append(") DO ");
          List<String> set = new ArrayList<>();
          for (int j = 0; j < targetColumns.size(); j++) {
            if (!keyMask[j]) {
              String q = target.quote(targetColumns.get(j));
              set.add(q + " = EXCLUDED." + q);
            }
          }
          return sb.append(set.isEmpty() ? "NOTHING" : "UPDATE SET " + String.join(", ", set))
              .toString();
        });
  }

  /** The parameters of {@link #upsert}: every column. */
  String[] upsertParams(Converted c) {
    return c.values();
  }

  /**
   * {@code UPDATE ... SET} the known columns {@code WHERE} key: a row whose unchanged values the
   * log left out ({@code withKey}: the key columns are set too, a key-changing update).
   */
  String update(boolean[] unchanged, boolean withKey) {
    StringBuilder mask = new StringBuilder(withKey ? "K" : "U");
    for (boolean u : unchanged) {
      mask.append(u ? '1' : '0');
    }
    return statements.computeIfAbsent(
        mask.toString(),
        k -> {
          List<String> set = new ArrayList<>();
          for (int j = 0; j < targetColumns.size(); j++) {
            if (!unchanged[j] && (withKey || !keyMask[j])) {
              set.add(target.quote(targetColumns.get(j)) + " = ?");
            }
          }
          if (set.isEmpty()) {
            return null;
          }
          return "UPDATE " + sql.targetFrom() + " SET " + String.join(", ", set) + keyWhere();
        });
  }

  /** The parameters of {@link #update}: the known columns, then the key (old key when moved). */
  String[] updateParams(Converted c, boolean withKey, String[] whereKey) {
    List<String> out = new ArrayList<>();
    for (int j = 0; j < targetColumns.size(); j++) {
      if (!c.unchanged()[j] && (withKey || !keyMask[j])) {
        out.add(c.values()[j]);
      }
    }
    out.addAll(Arrays.asList(whereKey));
    return out.toArray(new String[0]);
  }

  /** {@code DELETE ... WHERE} key. */
  String delete() {
    return statements.computeIfAbsent(
        "delete", k -> "DELETE FROM " + sql.targetFrom() + keyWhere());
  }

  private String keyWhere() {
    StringBuilder sb = new StringBuilder(" WHERE ");
    for (int i = 0; i < key.length; i++) {
      sb.append(i == 0 ? "" : " AND ")
          .append(target.quote(targetColumns.get(key[i])))
          .append(" = ?");
    }
    return sb.toString();
  }

  private String keyList() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < key.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(target.quote(targetColumns.get(key[i])));
    }
    return sb.toString();
  }
}
