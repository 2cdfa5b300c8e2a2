package io.migrationstudio.core.mapping;

import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.canonical.RowCodec;
import io.migrationstudio.core.schema.CanonicalType;
import java.util.List;

/**
 * The canonical codecs of mapped columns and tables. They live with the mapping model, which
 * depends on the canonical encoding and not the other way round (no mapping ↔ canonical cycle).
 */
public final class Codecs {
  private Codecs() {}

  /** The codec of a mapped column: its target name, canonical type and declared scale. */
  public static ColumnCodec column(ColumnMapping column) {
    CanonicalType type = column.canonical() != null ? column.canonical() : CanonicalType.TEXT;
    return new ColumnCodec(
        column.target(), type, ColumnCodec.declaredScale(column.type()), column.compare());
  }

  /**
   * The codec of a mapped table: its copied columns in target order; key positions index the
   * primary-key columns (target names) within them.
   */
  public static RowCodec row(TableMapping table) {
    List<ColumnMapping> copied = table.copiedColumns();
    List<ColumnCodec> codecs = copied.stream().map(Codecs::column).toList();
    int[] keys = new int[table.primaryKey().size()];
    for (int k = 0; k < keys.length; k++) {
      String key = table.primaryKey().get(k);
      keys[k] = -1;
      for (int i = 0; i < copied.size(); i++) {
        if (key.equals(copied.get(i).target())) {
          keys[k] = i;
        }
      }
      if (keys[k] < 0) {
        throw new IllegalArgumentException(
            "primary key column "
                + key
                + " of table "
                + table.target()
                + " is not a copied column of the mapping");
      }
    }
    return new RowCodec(codecs, keys);
  }
}
