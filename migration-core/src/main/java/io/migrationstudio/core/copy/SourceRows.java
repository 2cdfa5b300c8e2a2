package io.migrationstudio.core.copy;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.canonical.RowCodec;
import io.migrationstudio.core.canonical.Unconvertible;
import io.migrationstudio.core.canonical.ValueConverter;
import io.migrationstudio.core.expr.CompiledExpression;
import io.migrationstudio.core.mapping.Codecs;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingExpressions;
import io.migrationstudio.core.mapping.ValueMap;
import io.migrationstudio.core.schema.CanonicalType;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the source rows of a {@link TableSql}'s source queries as target values. Migrate, the
 * compatibility review's dry run and validation all read source rows through this one class.
 *
 * <p>A MAP or CAST column is read from its projection: on the same engine the SQL already cast it,
 * so its target codec reads it as it is; across engines it goes through a {@link ValueConverter}
 * from its source type (the source dialect's canonical type of the mapping's {@code source_type}).
 *
 * <p>A TRANSFORM, DERIVE or DEFAULT column is its compiled CEL expression ({@link
 * TableSql#expressions}, compiled once per {@link TableSql}) evaluated on the raw expression inputs
 * of the row, each read as its source type. The result is brought to the target codec's value by a
 * {@link ValueConverter}, so it is hashed and written like any other value. A row the expression
 * cannot evaluate (CEL's error, a result that does not fit) yields an {@link Unconvertible} with
 * the reason: Migrate quarantines the row instead of failing the chunk. A MAP or CAST column with a
 * value map ({@link ValueMap}) is read raw like an expression input and looked up in its map. An
 * input the reader could not convert (a MySQL zero date) is {@code null} to a null-aware
 * expression, which decides (e.g. {@code Released == null ? null : Released}); an expression that
 * does not handle NULL yields the input's own Unconvertible, so the row is quarantined with the
 * zero-date reason.
 */
public final class SourceRows {
  private final RowCodec codec;
  private final List<Column> columns;
  private final int projected;
  private final List<Input> inputs;

  private SourceRows(RowCodec codec, List<Column> columns, int projected, List<Input> inputs) {
    this.codec = codec;
    this.columns = columns;
    this.projected = projected;
    this.inputs = inputs;
  }

  /** The reader of {@code sql}'s source queries. */
  public static SourceRows of(TableSql sql) {
    return of(sql, false);
  }

  /**
   * The reader of source rows that no source SQL projected (a log's row changes, each column plain
   * as the source sends it): as {@link #of}, except that a same-engine CAST column, which the copy
   * casts in its source query, is converted in Java from its source type like a cross-engine one.
   */
  public static SourceRows ofPlainColumns(TableSql sql) {
    return of(sql, true);
  }

  private static SourceRows of(TableSql sql, boolean plain) {
    RowCodec codec = Codecs.row(sql.table());
    List<ColumnMapping> copied = sql.copiedColumns();
    List<Column> columns = new ArrayList<>();
    int slot = 0;
    for (int i = 0; i < copied.size(); i++) {
      ColumnMapping c = copied.get(i);
      ColumnCodec target = codec.columns().get(i);
      ValueMap valueMap = sql.valueMaps().get(c.target());
      if (valueMap != null) {
        columns.add(new Mapped(c.source(), valueMap));
      } else if (MappingExpressions.computed(c)) {
        CompiledExpression e = sql.expressions().get(c.target());
        columns.add(new Computed(e, e == null ? null : new ValueConverter(e.resultType(), target)));
      } else {
        boolean convert = sql.crossEngine() || (plain && c.disposition() == Disposition.CAST);
        columns.add(new Projected(slot++, target, convert ? converter(sql, c, target) : null));
      }
    }
    Map<String, CanonicalType> types =
        MappingExpressions.sourceColumns(sql.table(), sql.sourceDialect());
    List<Input> inputs = new ArrayList<>();
    for (String name : sql.expressionInputs()) {
      CanonicalType t = types.get(name);
      ColumnCodec raw = new ColumnCodec(name, t, null);
      inputs.add(new Input(name, raw, sql.crossEngine() ? new ValueConverter(t, raw) : null));
    }
    return new SourceRows(codec, List.copyOf(columns), slot, List.copyOf(inputs));
  }

  /** The converter of one MAP or CAST column of a cross-engine copy. */
  static ValueConverter converter(TableSql sql, ColumnMapping c, ColumnCodec target) {
    boolean readsColumn =
        c.source() != null
            && c.sourceType() != null
            && (c.disposition() == Disposition.MAP || c.disposition() == Disposition.CAST);
    CanonicalType from =
        readsColumn ? sql.sourceDialect().canonicalType(c.sourceType()) : target.type();
    return new ValueConverter(
        from,
        target,
        readsColumn && c.sourceTimeZone() != null ? java.time.ZoneId.of(c.sourceTimeZone()) : null);
  }

  public RowCodec codec() {
    return codec;
  }

  /**
   * Reads the current row from column {@code first} on (the projections, then the expression
   * inputs, as {@link TableSql} selects them) as target values in target column order.
   */
  public Object[] read(ResultSet rs, int first) throws SQLException {
    // most tables have no expression inputs: no map per row then
    Map<String, Object> raw = inputs.isEmpty() ? Map.of() : new HashMap<>();
    for (int k = 0; k < inputs.size(); k++) {
      Input in = inputs.get(k);
      int i = first + projected + k;
      raw.put(
          in.name(), in.converter() == null ? in.codec().read(rs, i) : in.converter().read(rs, i));
    }
    Object[] values = new Object[columns.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = columns.get(i).value(rs, first, raw);
    }
    return values;
  }

  /**
   * {@link #read} of the target columns {@code wanted} only (by target column index); the others
   * are null (a delete's key, whose other columns the log may not carry).
   */
  public Object[] read(ResultSet rs, boolean[] wanted) throws SQLException {
    Map<String, Object> raw = inputs.isEmpty() ? Map.of() : new HashMap<>();
    for (int k = 0; k < inputs.size(); k++) {
      Input in = inputs.get(k);
      int i = 1 + projected + k;
      raw.put(
          in.name(), in.converter() == null ? in.codec().read(rs, i) : in.converter().read(rs, i));
    }
    Object[] values = new Object[columns.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = wanted[i] ? columns.get(i).value(rs, 1, raw) : null;
    }
    return values;
  }

  /** Reads the current row from column 1 on. */
  public Object[] read(ResultSet rs) throws SQLException {
    return read(rs, 1);
  }

  /** How one target column gets its value. */
  private sealed interface Column permits Projected, Computed, Mapped {
    Object value(ResultSet rs, int first, Map<String, Object> raw) throws SQLException;
  }

  /** Read from the {@code slot}-th projection (0-based). */
  private record Projected(int slot, ColumnCodec codec, ValueConverter converter)
      implements Column {
    @Override
    public Object value(ResultSet rs, int first, Map<String, Object> raw) throws SQLException {
      return converter == null ? codec.read(rs, first + slot) : converter.read(rs, first + slot);
    }
  }

  /** Evaluated from the raw inputs; no expression (a DEFAULT without one) is NULL. */
  private record Computed(CompiledExpression expression, ValueConverter converter)
      implements Column {
    @Override
    public Object value(ResultSet rs, int first, Map<String, Object> raw) {
      if (expression == null) {
        return null;
      }
      Map<String, Object> row = raw;
      for (String name : expression.readsRow() ? raw.keySet() : expression.columns()) {
        if (raw.get(name) instanceof Unconvertible u) {
          if (!expression.nullAware()) {
            return u;
          }
          if (row == raw) {
            row = new HashMap<>(raw);
          }
          row.put(name, null);
        }
      }
      Object result;
      try {
        result = expression.evaluate(row);
      } catch (MigrationException e) {
        if (e.code() != ErrorCode.PERMANENT_SQL) {
          throw e;
        }
        return new Unconvertible(expression.expression(), e.getMessage());
      }
      return converter.convert(result);
    }
  }

  /** Looked up in the column's value map from its raw source value. */
  private record Mapped(String input, ValueMap map) implements Column {
    @Override
    public Object value(ResultSet rs, int first, Map<String, Object> raw) {
      return map.apply(raw.get(input));
    }
  }

  /** A raw source column an expression reads: by its own codec, or converted across engines. */
  private record Input(String name, ColumnCodec codec, ValueConverter converter) {}
}
