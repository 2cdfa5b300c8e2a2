package io.migrationstudio.core.copy;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.expr.CompiledExpression;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingExpressions;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.mapping.ValueMap;
import io.migrationstudio.core.schema.CanonicalType;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The SQL of one mapped table on both sides, every identifier quoted by its side's dialect.
 *
 * <p>Source rows "as transformed by the mapping" are read in two parts. First the projection of
 * each copied column that comes from a source column, in target order: MAP reads the column, CAST
 * wraps it in {@code CAST(col AS target type)}. Then, plainly, every raw source column the
 * mapping's CEL expressions read ({@link #expressionInputs}, sorted; dropped columns included).
 * TRANSFORM, DERIVE and DEFAULT columns are not SQL: {@link SourceRows} evaluates their compiled
 * expressions ({@link MappingExpressions}) on those raw columns, row by row, in Java. Chunks are
 * ranges over the leading key column, {@code lo <= key < hi}, bounds bound as text and cast to the
 * key's type on each side.
 *
 * <p>Across engines ({@link #crossEngine}: the source dialect is not the target's) no PostgreSQL
 * cast can run on the source: the source SELECT reads every MAP/CAST column plainly, quoted by the
 * source dialect, and the conversion to the target type happens in Java ({@link SourceRows}, one
 * {@code ValueConverter} per column). Range and key bounds are then bound typed (integers and
 * decimals as numbers, the rest as text) instead of cast.
 */
public final class TableSql {
  private final Dialect source;
  private final Dialect target;
  private final MappingDocument mapping;
  private final TableMapping table;
  private final List<ColumnMapping> copied;
  private final List<ColumnMapping> projected;
  private final Map<String, CompiledExpression> expressions;
  private final List<String> inputs;
  private final Map<String, ValueMap> valueMaps;

  public TableSql(Dialect source, Dialect target, MappingDocument mapping, TableMapping table) {
    this.source = source;
    this.target = target;
    this.mapping = mapping;
    this.table = table;
    this.copied = table.copiedColumns();
    if (copied.isEmpty()) {
      throw new MigrationException(
          ErrorCode.INVALID_ARTIFACT,
          "table " + table.source() + " has no copied column in mapping.yaml; map at least one");
    }
    this.projected = copied.stream().filter(c -> !MappingExpressions.computed(c)).toList();
    for (ColumnMapping c : copied) {
      if ((c.disposition() == Disposition.TRANSFORM || c.disposition() == Disposition.DERIVE)
          && MappingExpressions.expressionOf(c) == null) {
        throw new MigrationException(
            ErrorCode.INVALID_ARTIFACT,
            "column "
                + table.target()
                + "."
                + c.target()
                + " is "
                + c.disposition().key()
                + " but has no expression in mapping.yaml; add one");
      }
    }
    this.expressions = Map.copyOf(MappingExpressions.compile(table, source));
    Map<String, ?> sourceColumns = MappingExpressions.sourceColumns(table, source);
    TreeSet<String> read = new TreeSet<>();
    for (CompiledExpression e : expressions.values()) {
      read.addAll(e.readsRow() ? sourceColumns.keySet() : e.columns());
    }
    this.valueMaps = Map.copyOf(MappingExpressions.valueMaps(table, source));
    for (ColumnMapping c : copied) {
      if (valueMaps.containsKey(c.target())) {
        read.add(c.source()); // a value-mapped column is looked up from its raw source value
      }
    }
    this.inputs = List.copyOf(read);
  }

  /**
   * The compiled expression of each TRANSFORM, DERIVE and DEFAULT column, by target column (a
   * DEFAULT column without {@code default} or {@code expression} has none: it is NULL).
   */
  public Map<String, CompiledExpression> expressions() {
    return expressions;
  }

  /** The value map of each value-mapped MAP or CAST column, by target column. */
  public Map<String, ValueMap> valueMaps() {
    return valueMaps;
  }

  /** The copied columns read from a source column (MAP, CAST), in target order. */
  public List<ColumnMapping> projectedColumns() {
    return projected;
  }

  /** The raw source columns the expressions read, sorted: selected after the projections. */
  public List<String> expressionInputs() {
    return inputs;
  }

  public TableMapping table() {
    return table;
  }

  public Dialect sourceDialect() {
    return source;
  }

  public Dialect targetDialect() {
    return target;
  }

  /**
   * Whether source and target are different engines: the source query is then plain and values are
   * converted in Java (see the class comment).
   */
  public boolean crossEngine() {
    return !source.name().equals(target.name());
  }

  /** The copied columns in target order (the order of {@link SourceRows} values). */
  public List<ColumnMapping> copiedColumns() {
    return copied;
  }

  public String sourceTable() {
    return source.qualify(sourceSchema(), table.source());
  }

  public String targetTable() {
    return target.qualify(targetSchema(mapping, target), table.target());
  }

  /**
   * The source table as every read of its rows names it after {@code FROM}: {@code ONLY t} for a
   * table-inheritance parent ({@link TableMapping#inheritanceParent}), whose children's rows are
   * theirs and copied with them, never also with the parent.
   */
  public String sourceFrom() {
    return table.inheritanceParent() ? source.only(sourceTable()) : sourceTable();
  }

  /**
   * The target table as every read or range delete of its rows names it (see {@link #sourceFrom}).
   */
  public String targetFrom() {
    return table.inheritanceParent() ? target.only(targetTable()) : targetTable();
  }

  /**
   * The source schema (MariaDB: database) of the mapping, the dialect default when it names none.
   */
  public String sourceSchema() {
    return mapping.sourceSchema() == null || mapping.sourceSchema().isBlank()
        ? source.defaultSchema()
        : mapping.sourceSchema();
  }

  /** The target schema a mapping writes to (the dialect default when the mapping names none). */
  public static String targetSchema(MappingDocument mapping, Dialect target) {
    return mapping.targetSchema() == null || mapping.targetSchema().isBlank()
        ? target.defaultSchema()
        : mapping.targetSchema();
  }

  /**
   * The leading key column of the table when chunking by range is possible: a primary key exists
   * and its leading column is read straight from a source column (MAP or CAST), so source and
   * target bounds mean the same value. Empty means the table is copied as one chunk.
   */
  public Optional<ColumnMapping> chunkKey() {
    if (table.primaryKey().isEmpty()) {
      return Optional.empty();
    }
    return table
        .byTarget(table.primaryKey().get(0))
        .filter(c -> c.source() != null)
        .filter(c -> c.disposition() == Disposition.MAP || c.disposition() == Disposition.CAST)
        .filter(c -> !c.hasValueMap()); // a value-mapped key means another value on each side
  }

  /** The source query of a range: projections in target column order, ordered by key. */
  public String sourceSelect(ChunkRange range) {
    StringBuilder sb = new StringBuilder(sourceAggregate(readList(), range));
    appendOrder(sb, sourceKeyColumns(), source);
    return sb.toString();
  }

  /**
   * {@code SELECT items FROM source [WHERE filter AND range]}, unordered: an aggregate over a
   * range, bound like {@link #sourceSelect} ({@link #bindSourceRange}).
   */
  public String sourceAggregate(String items, ChunkRange range) {
    StringBuilder sb = new StringBuilder("SELECT ").append(items);
    sb.append(" FROM ").append(sourceFrom());
    List<String> where = new ArrayList<>();
    if (table.filter() != null && !table.filter().isBlank()) {
      where.add("(" + table.filter() + ")");
    }
    where.addAll(sourceRange(range));
    appendWhere(sb, where);
    return sb.toString();
  }

  /**
   * {@code SELECT items FROM target [WHERE range]}, unordered, bound like {@link #targetSelect}
   * ({@link #bindRange}).
   */
  public String targetAggregate(String items, ChunkRange range) {
    StringBuilder sb = new StringBuilder("SELECT ").append(items);
    sb.append(" FROM ").append(targetFrom());
    appendWhere(sb, targetRange(range));
    return sb.toString();
  }

  /** The source query of one row by its full key (values bound as text). */
  public String sourceByKey() {
    StringBuilder sb = new StringBuilder("SELECT ").append(readList());
    sb.append(" FROM ").append(sourceFrom());
    List<String> where = new ArrayList<>();
    if (table.filter() != null && !table.filter().isBlank()) {
      where.add("(" + table.filter() + ")");
    }
    for (String key : table.primaryKey()) {
      ColumnMapping c = keyColumn(key);
      where.add(source.quote(c.source()) + " = " + sourceBound(c));
    }
    appendWhere(sb, where);
    return sb.toString();
  }

  /**
   * The dry run's query: the source columns {@code before} as they are, then the projections and
   * expression inputs exactly as {@link #sourceSelect} reads them (so the two halves of a row are
   * the same source row), the first {@code rows} rows in key order (in column order when there is
   * no key).
   */
  public String sourcePreview(List<String> before, int rows) {
    StringBuilder sb = selectWithRead(before);
    if (!table.primaryKey().isEmpty()) {
      appendOrder(sb, sourceKeyColumns(), source);
    } else {
      sb.append(" ORDER BY ");
      int n = before.isEmpty() ? readCount() : before.size();
      for (int i = 1; i <= n; i++) {
        sb.append(i == 1 ? "" : ", ").append(i);
      }
    }
    return sb.append(" LIMIT ").append(rows).toString();
  }

  /**
   * {@code SELECT} the source columns {@code before} as they are, then the read list, {@code FROM}
   * the source table, with the table's filter when it has one.
   */
  private StringBuilder selectWithRead(List<String> before) {
    StringBuilder sb = new StringBuilder("SELECT ");
    Map<String, CanonicalType> types =
        crossEngine() ? MappingExpressions.sourceColumns(table, source) : Map.of();
    for (int i = 0; i < before.size(); i++) {
      String name = before.get(i);
      sb.append(i == 0 ? "" : ", ");
      sb.append(crossEngine() ? exactText(name, types.get(name)) : source.quote(name));
    }
    sb.append(before.isEmpty() ? "" : ", ").append(readList());
    sb.append(" FROM ").append(sourceFrom());
    if (table.filter() != null && !table.filter().isBlank()) {
      sb.append(" WHERE (").append(table.filter()).append(")");
    }
    return sb;
  }

  /**
   * A full scan for the compatibility review's row probes: the source columns {@code before} (the
   * key, for example keys) as they are, then the projections and expression inputs as {@link
   * #sourceSelect} reads them, every row the filter admits, in key order when there is a key.
   */
  public String sourceScan(List<String> before) {
    StringBuilder sb = selectWithRead(before);
    if (!before.isEmpty()) {
      appendOrder(sb, before, source);
    }
    return sb.toString();
  }

  /** The source's key columns only, in key order (for sampling). */
  public String sourceKeys() {
    StringBuilder sb = new StringBuilder("SELECT ");
    List<String> keys = sourceKeyColumns();
    for (int i = 0; i < keys.size(); i++) {
      String k = source.quote(keys.get(i));
      sb.append(i == 0 ? "" : ", ");
      sb.append(
          crossEngine()
              ? exactText(keys.get(i), keyColumn(table.primaryKey().get(i)).sourceType())
              : "CAST(" + k + " AS " + sourceType(keyColumn(table.primaryKey().get(i))) + ")");
    }
    sb.append(" FROM ").append(sourceFrom());
    if (table.filter() != null && !table.filter().isBlank()) {
      sb.append(" WHERE (").append(table.filter()).append(")");
    }
    appendOrder(sb, keys, source);
    return sb.toString();
  }

  /** Counts the source rows the mapping copies. */
  public String sourceCount() {
    String filter =
        table.filter() == null || table.filter().isBlank() ? "" : " WHERE (" + table.filter() + ")";
    return sourceDialect().countRows(sourceFrom()) + filter;
  }

  public String targetCount() {
    return "SELECT count(*) FROM " + targetFrom();
  }

  /** The target query of a range: target columns in order, ordered by key. */
  public String targetSelect(ChunkRange range) {
    StringBuilder sb = new StringBuilder("SELECT ").append(targetColumnList());
    sb.append(" FROM ").append(targetFrom());
    appendWhere(sb, targetRange(range));
    appendOrder(sb, table.primaryKey(), target);
    return sb.toString();
  }

  /**
   * {@code SELECT items} of the source rows with {@code n} full keys, each bound as {@link
   * #sourceByKey} binds one ({@link #bindSourceKeys}); {@code items} null: the read list of {@link
   * #sourceSelect}.
   */
  public String sourceByKeys(String items, int n) {
    StringBuilder sb = new StringBuilder("SELECT ").append(items == null ? readList() : items);
    sb.append(" FROM ").append(sourceFrom());
    List<String> where = new ArrayList<>();
    if (table.filter() != null && !table.filter().isBlank()) {
      where.add("(" + table.filter() + ")");
    }
    List<String> cols = new ArrayList<>();
    List<String> binds = new ArrayList<>();
    for (String key : table.primaryKey()) {
      ColumnMapping c = keyColumn(key);
      cols.add(source.quote(c.source()));
      binds.add(sourceBound(c));
    }
    where.add(keysIn(cols, binds, n));
    appendWhere(sb, where);
    return sb.toString();
  }

  /** Binds {@code keys} (source key texts) on a {@link #sourceByKeys} query from parameter 1. */
  public void bindSourceKeys(PreparedStatement ps, List<List<String>> keys) throws SQLException {
    int i = 1;
    for (List<String> key : keys) {
      for (int k = 0; k < key.size(); k++) {
        bindSourceKey(ps, i++, keyColumn(table.primaryKey().get(k)), key.get(k));
      }
    }
  }

  /**
   * {@code SELECT items} of the target rows with {@code n} full keys, bound as text ({@code items}
   * null: the target columns in order, as {@link #targetSelect} reads them).
   */
  public String targetByKeys(String items, int n) {
    StringBuilder sb =
        new StringBuilder("SELECT ").append(items == null ? targetColumnList() : items);
    sb.append(" FROM ").append(targetFrom());
    List<String> cols = new ArrayList<>();
    List<String> binds = new ArrayList<>();
    for (String key : table.primaryKey()) {
      cols.add(target.quote(key));
      binds.add("CAST(? AS " + keyColumn(key).type() + ")");
    }
    appendWhere(sb, new ArrayList<>(List.of(keysIn(cols, binds, n))));
    return sb.toString();
  }

  /** {@code (k1, k2) IN ((b1, b2), ...)} for {@code n} keys. */
  private static String keysIn(List<String> cols, List<String> binds, int n) {
    String one = "(" + String.join(", ", binds) + ")";
    StringBuilder sb = new StringBuilder("(").append(String.join(", ", cols)).append(") IN (");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ", ").append(one);
    }
    return sb.append(")").toString();
  }

  /** The target query of one row by its full key (values bound as text). */
  public String targetByKey() {
    StringBuilder sb = new StringBuilder("SELECT ").append(targetColumnList());
    sb.append(" FROM ").append(targetFrom());
    List<String> where = new ArrayList<>();
    for (String key : table.primaryKey()) {
      where.add(target.quote(key) + " = CAST(? AS " + keyColumn(key).type() + ")");
    }
    appendWhere(sb, where);
    return sb.toString();
  }

  /** Deletes a range on the target (the first step of a chunk's transaction). */
  public String targetDelete(ChunkRange range) {
    StringBuilder sb = new StringBuilder("DELETE FROM ").append(targetFrom());
    appendWhere(sb, targetRange(range));
    return sb.toString();
  }

  /** {@code COPY target (cols) FROM STDIN} in text format. */
  public String copyIn() {
    return "COPY " + targetTable() + " (" + targetColumnList() + ") FROM STDIN";
  }

  public String targetColumnList() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < copied.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(target.quote(copied.get(i).target()));
    }
    return sb.toString();
  }

  /**
   * Binds a range's bounds (as text) from parameter 1 on: the statement holds {@code lo} then
   * {@code hi} placeholders for the bounds that are not null, as {@link #sourceSelect}, {@link
   * #targetSelect} and {@link #targetDelete} wrote them.
   */
  public static void bindRange(PreparedStatement ps, ChunkRange range) throws SQLException {
    int i = 1;
    if (range.lo() != null) {
      ps.setString(i++, range.lo());
    }
    if (range.hi() != null) {
      ps.setString(i, range.hi());
    }
  }

  private List<String> sourceRange(ChunkRange range) {
    Optional<ColumnMapping> key = chunkKey();
    if (key.isEmpty()) {
      return new ArrayList<>();
    }
    return bounds(range, source.quote(key.get().source()), sourceBound(key.get()));
  }

  private List<String> targetRange(ChunkRange range) {
    Optional<ColumnMapping> key = chunkKey();
    if (key.isEmpty()) {
      return new ArrayList<>();
    }
    return bounds(range, target.quote(key.get().target()), "CAST(? AS " + key.get().type() + ")");
  }

  /** {@code col >= bound} for a range with a lower end, {@code col < bound} with an upper one. */
  private static List<String> bounds(ChunkRange range, String col, String bound) {
    List<String> out = new ArrayList<>();
    if (range.lo() != null) {
      out.add(col + " >= " + bound);
    }
    if (range.hi() != null) {
      out.add(col + " < " + bound);
    }
    return out;
  }

  /**
   * What the source reads for a copied column (MAP, CAST): the source column. Computed columns
   * (TRANSFORM, DERIVE, DEFAULT) have no SQL: their CEL expressions run in {@link SourceRows}.
   */
  public String sourceValue(ColumnMapping c) {
    return switch (c.disposition()) {
      case MAP, CAST -> source.quote(c.source());
      case TRANSFORM, DERIVE, DEFAULT ->
          throw new IllegalStateException(
              "column " + c.target() + " is computed by a CEL expression, not by source SQL");
      case DROP -> throw new IllegalStateException("dropped column " + c.source() + " projected");
    };
  }

  /**
   * A MAP or CAST column as Migrate selects it: MAP reads the column as it is, CAST casts it to the
   * target type (on the same engine; across engines the conversion happens in Java).
   */
  public String projection(ColumnMapping c) {
    String value = sourceValue(c);
    if (crossEngine()) {
      return exactText(c.source(), c.sourceType());
    }
    if (c.disposition() == Disposition.MAP) {
      return value;
    }
    if (c.sourceTimeZone() != null) {
      // a zone-less timestamp read as wall time in the mapping's zone, whatever the session's
      return "CAST(("
          + value
          + " AT TIME ZONE "
          + "'"
          + c.sourceTimeZone().replace("'", "''")
          + "'"
          + ") AS "
          + c.type()
          + ")";
    }
    return "CAST(" + value + " AS " + unboundedIfLengthLimited(c.type()) + ")";
  }

  private static final java.util.regex.Pattern LENGTH_LIMITED =
      java.util.regex.Pattern.compile(
          "\\s*(character varying|varchar|character|char|bpchar|bit varying|varbit|bit)"
              + "\\s*\\(\\s*\\d+\\s*\\)\\s*",
          java.util.regex.Pattern.CASE_INSENSITIVE);

  /**
   * The type a same-engine CAST projection casts to. An explicit SQL cast to {@code varchar(n)},
   * {@code char(n)} or {@code bit(n)} silently truncates a longer value (SQL standard), which would
   * lose data without a trace; casting to the unbounded type instead leaves the length to the
   * target column, whose COPY refuses the value (SQLState 22001), so the row is quarantined and
   * counted.
   */
  static String unboundedIfLengthLimited(String type) {
    java.util.regex.Matcher m = LENGTH_LIMITED.matcher(type);
    if (!m.matches()) {
      return type;
    }
    String base = m.group(1).toLowerCase(java.util.Locale.ROOT);
    return base.startsWith("bit") || base.equals("varbit") ? "bit varying" : "text";
  }

  /**
   * The select list of a source row: the projections, then the expression inputs; {@code 1} when
   * both are empty (every column a constant), which the readers skip.
   */
  private String readList() {
    List<String> items = new ArrayList<>();
    projected.forEach(c -> items.add(projection(c)));
    if (crossEngine()) {
      Map<String, CanonicalType> types = MappingExpressions.sourceColumns(table, source);
      inputs.forEach(name -> items.add(exactText(name, types.get(name))));
    } else {
      inputs.forEach(name -> items.add(source.quote(name)));
    }
    return items.isEmpty() ? "1" : String.join(", ", items);
  }

  /**
   * A key column as the chunk planner and the bisection read its values (bounds bound back by
   * {@link #bindSourceRange}): plainly, or across engines as the source server's exact text of a
   * temporal key ({@link Dialect#exactTemporalText}); order by the plain column.
   */
  public String sourceKeyValue(ColumnMapping key) {
    return crossEngine() ? exactText(key.source(), key.sourceType()) : source.quote(key.source());
  }

  /**
   * A source column as a cross-engine reader selects it: plainly, or a temporal column as the
   * source server's exact text when its dialect says the driver's text is not ({@link
   * Dialect#exactTemporalText}).
   */
  private String exactText(String column, String sourceType) {
    return exactText(
        column,
        sourceType == null || sourceType.isBlank() ? null : source.canonicalType(sourceType));
  }

  private String exactText(String column, CanonicalType type) {
    String quoted = source.quote(column);
    return type == null ? quoted : source.exactTemporalText(quoted, type).orElse(quoted);
  }

  private int readCount() {
    return Math.max(1, projected.size() + inputs.size());
  }

  /**
   * A key bound on the source: cast from text on the same engine, a plain typed parameter across.
   */
  private String sourceBound(ColumnMapping c) {
    return crossEngine() ? "?" : "CAST(? AS " + sourceType(c) + ")";
  }

  /**
   * Binds a range's bounds on the source query from parameter 1 on: as text on the same engine (the
   * SQL casts them), typed across engines (see {@link #bindSourceKey}).
   */
  public void bindSourceRange(PreparedStatement ps, ChunkRange range) throws SQLException {
    if (!crossEngine()) {
      bindRange(ps, range);
      return;
    }
    ColumnMapping key = chunkKey().orElse(null);
    int i = 1;
    if (range.lo() != null) {
      bindSourceKey(ps, i++, key, range.lo());
    }
    if (range.hi() != null) {
      bindSourceKey(ps, i, key, range.hi());
    }
  }

  /**
   * Binds one key value given as text to parameter {@code index} of a source query: across engines
   * integer keys are bound as integers and decimal keys as decimals, so the source compares numbers
   * with numbers; everything else (and every key on the same engine) is bound as text.
   */
  public void bindSourceKey(PreparedStatement ps, int index, ColumnMapping key, String text)
      throws SQLException {
    CanonicalType t = key == null ? null : key.canonical();
    if (crossEngine() && t != null && (t.isInteger() || t == CanonicalType.DECIMAL)) {
      ps.setBigDecimal(index, new BigDecimal(text.trim()));
    } else {
      ps.setString(index, text);
    }
  }

  /** The key column mapping of a primary-key column (target name). */
  public ColumnMapping keyColumnOf(String targetKey) {
    return keyColumn(targetKey);
  }

  private List<String> sourceKeyColumns() {
    return table.primaryKey().stream().map(k -> keyColumn(k).source()).toList();
  }

  private ColumnMapping keyColumn(String targetKey) {
    ColumnMapping c =
        table
            .byTarget(targetKey)
            .orElseThrow(
                () ->
                    new MigrationException(
                        ErrorCode.INVALID_ARTIFACT,
                        "primary key column "
                            + targetKey
                            + " of "
                            + table.target()
                            + " has no column mapping; map it"));
    if (c.source() == null) {
      throw new MigrationException(
          ErrorCode.INVALID_ARTIFACT,
          "primary key column "
              + table.target()
              + "."
              + targetKey
              + " has no source column: a key must come from the source to copy by range");
    }
    return c;
  }

  /**
   * The type to cast a bound to on the source: the mapping's source type, with serial pseudo-types
   * and identity clauses reduced to their integer type; the target type when none is given.
   */
  public static String sourceType(ColumnMapping c) {
    if (c.sourceType() == null || c.sourceType().isBlank()) {
      return c.type();
    }
    String t = c.sourceType().trim();
    String lower = t.toLowerCase(java.util.Locale.ROOT);
    if (lower.equals("serial") || lower.equals("serial4")) {
      return "integer";
    }
    if (lower.equals("bigserial") || lower.equals("serial8")) {
      return "bigint";
    }
    if (lower.equals("smallserial") || lower.equals("serial2")) {
      return "smallint";
    }
    int generated = lower.indexOf(" generated ");
    return generated > 0 ? t.substring(0, generated).trim() : t;
  }

  private static void appendWhere(StringBuilder sb, List<String> where) {
    if (!where.isEmpty()) {
      sb.append(" WHERE ").append(String.join(" AND ", where));
    }
  }

  private static void appendOrder(StringBuilder sb, List<String> columns, Dialect d) {
    if (!columns.isEmpty()) {
      sb.append(" ORDER BY ");
      for (int i = 0; i < columns.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(d.quote(columns.get(i)));
      }
    }
  }
}
