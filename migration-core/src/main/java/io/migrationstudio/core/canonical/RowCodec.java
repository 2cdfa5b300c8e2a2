package io.migrationstudio.core.canonical;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** The codecs of a table's copied columns in target order, and of its key columns. */
public record RowCodec(List<ColumnCodec> columns, int[] keyPositions) {
  public RowCodec {
    columns = List.copyOf(columns);
    keyPositions = keyPositions.clone();
  }

  @Override
  public int[] keyPositions() {
    return keyPositions.clone();
  }

  public int size() {
    return columns.size();
  }

  /** Reads the current row's values from result-set columns 1..size(). */
  public Object[] read(ResultSet rs) throws SQLException {
    Object[] values = new Object[columns.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = columns.get(i).read(rs, i + 1);
    }
    return values;
  }

  /** The key of a row as readable text: key values joined by ", " (canonical display form). */
  public String keyText(Object[] values) {
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < keyPositions.length; k++) {
      if (k > 0) {
        sb.append(", ");
      }
      int p = keyPositions[k];
      sb.append(CanonicalEncoder.display(columns.get(p), values[p]));
    }
    return sb.toString();
  }

  /** The canonical encoding of the key columns (an exact map key for a row). */
  public String keyEncoding(Object[] values) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int p : keyPositions) {
      CanonicalEncoder.encode(columns.get(p), values[p], out);
    }
    return java.util.HexFormat.of().formatHex(out.toByteArray());
  }
}
