package io.migrationstudio.core.copy;

import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.canonical.RowCodec;
import io.migrationstudio.core.canonical.ValueConverter;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.schema.CanonicalType;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the source rows of a {@link TableSql}'s source queries as target values: on the same engine
 * the SQL already cast every column, so the target codecs read them as they are; across engines
 * each column goes through a {@link ValueConverter} from its source type (the source dialect's
 * canonical type of the mapping's {@code source_type}; for transforms, derivations and defaults,
 * the target type itself: the expression is trusted to produce it). Migrate, the compatibility
 * review and validation all read source rows through this one class.
 */
public final class SourceRows {
  private final RowCodec codec;
  private final List<ValueConverter> converters;

  private SourceRows(RowCodec codec, List<ValueConverter> converters) {
    this.codec = codec;
    this.converters = converters;
  }

  /** The reader of {@code sql}'s source projections. */
  public static SourceRows of(TableSql sql) {
    RowCodec codec = RowCodec.of(sql.table());
    if (!sql.crossEngine()) {
      return new SourceRows(codec, null);
    }
    List<ValueConverter> converters = new ArrayList<>();
    List<ColumnMapping> copied = sql.copiedColumns();
    for (int i = 0; i < copied.size(); i++) {
      converters.add(converter(sql, copied.get(i), codec.columns().get(i)));
    }
    return new SourceRows(codec, List.copyOf(converters));
  }

  /** The converter of one copied column of a cross-engine copy. */
  static ValueConverter converter(TableSql sql, ColumnMapping c, ColumnCodec target) {
    boolean readsColumn =
        c.source() != null
            && c.sourceType() != null
            && (c.disposition() == io.migrationstudio.core.mapping.Disposition.MAP
                || c.disposition() == io.migrationstudio.core.mapping.Disposition.CAST);
    CanonicalType from =
        readsColumn ? sql.sourceDialect().canonicalType(c.sourceType()) : target.type();
    return new ValueConverter(from, target);
  }

  public RowCodec codec() {
    return codec;
  }

  /** Reads the current row's columns {@code first..first+size-1} as target values. */
  public Object[] read(ResultSet rs, int first) throws SQLException {
    Object[] values = new Object[codec.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] =
          converters == null
              ? codec.columns().get(i).read(rs, first + i)
              : converters.get(i).read(rs, first + i);
    }
    return values;
  }

  /** Reads the current row's columns 1..size(). */
  public Object[] read(ResultSet rs) throws SQLException {
    return read(rs, 1);
  }
}
