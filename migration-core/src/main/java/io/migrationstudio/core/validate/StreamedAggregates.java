package io.migrationstudio.core.validate;

import io.migrationstudio.core.canonical.CanonicalEncoder;
import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.canonical.Unconvertible;
import io.migrationstudio.core.schema.CanonicalType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Per-column aggregates (count, nulls, min, max, sum, length sum) of one side's rows as they stream
 * through the checksum pass, for tables whose engines differ: the source rows as the mapping
 * transforms them and the target rows are both read with the target column's codec, so the two
 * sides' aggregates are comparable value for value without trusting either engine's text forms.
 * Values are shown in canonical display form; floats are summed exactly (as decimals), so equal
 * values give equal sums in any order. Min and max only for ordered types, sum only for numbers,
 * length sum (in code points) only for text; a source value that could not be converted counts but
 * takes part in nothing else. Not thread-safe: one instance per side.
 */
final class StreamedAggregates {
  private final List<ColumnCodec> codecs;
  private final long[] nulls;
  private final Object[] min;
  private final Object[] max;
  private final BigDecimal[] sum;
  private final boolean[] sumNaN;
  private final long[] lengths;

  /** Integer sums while they fit a long (flushed into {@link #sum} before overflowing). */
  private final long[] longSum;

  private final boolean[] longSummed;

  private long rows;

  StreamedAggregates(List<ColumnCodec> codecs) {
    this.codecs = List.copyOf(codecs);
    int n = codecs.size();
    nulls = new long[n];
    min = new Object[n];
    max = new Object[n];
    sum = new BigDecimal[n];
    sumNaN = new boolean[n];
    lengths = new long[n];
    longSum = new long[n];
    longSummed = new boolean[n];
  }

  void add(Object[] row) {
    rows++;
    for (int i = 0; i < row.length; i++) {
      Object v = row[i];
      if (v == null) {
        nulls[i]++;
        continue;
      }
      if (v instanceof Unconvertible) {
        continue;
      }
      CanonicalType type = codecs.get(i).type();
      if (v instanceof BigInteger b
          && type.isInteger()
          && (min[i] == null || min[i] instanceof BigInteger)
          && (max[i] == null || max[i] instanceof BigInteger)) {
        addInteger(i, b);
        continue;
      }
      if (type.isText()) {
        // char(n) padding is not data (the canonical display strips it)
        v = CanonicalEncoder.display(codecs.get(i), v);
      }
      Comparator<Object> order = order(type);
      if (order != null) {
        if (min[i] == null || order.compare(v, min[i]) < 0) {
          min[i] = v;
        }
        if (max[i] == null || order.compare(v, max[i]) > 0) {
          max[i] = v;
        }
      }
      if (numeric(type)) {
        BigDecimal d = number(v);
        if (d == null) {
          sumNaN[i] = true;
        } else {
          sum[i] = sum[i] == null ? d : sum[i].add(d);
        }
      }
      if (type.isText()) {
        String text = (String) v;
        lengths[i] += text.codePointCount(0, text.length());
      }
    }
  }

  /** The integer path: min and max compared as BigIntegers, summed in a long while it fits. */
  private void addInteger(int i, BigInteger b) {
    if (min[i] == null || b.compareTo((BigInteger) min[i]) < 0) {
      min[i] = b;
    }
    if (max[i] == null || b.compareTo((BigInteger) max[i]) > 0) {
      max[i] = b;
    }
    if (b.bitLength() >= 63) {
      BigDecimal d = new BigDecimal(b);
      sum[i] = sum[i] == null ? d : sum[i].add(d);
      return;
    }
    long x = b.longValue();
    long r = longSum[i] + x;
    if (((longSum[i] ^ r) & (x ^ r)) < 0) {
      // the long would overflow: carry what it holds into the exact sum
      BigDecimal d = BigDecimal.valueOf(longSum[i]);
      sum[i] = sum[i] == null ? d : sum[i].add(d);
      r = x;
    }
    longSum[i] = r;
    longSummed[i] = true;
  }

  List<ValidationReport.Aggregate> result() {
    List<ValidationReport.Aggregate> out = new ArrayList<>();
    for (int i = 0; i < codecs.size(); i++) {
      ColumnCodec c = codecs.get(i);
      boolean anyValue = rows > nulls[i];
      BigDecimal total = sum[i];
      if (longSummed[i]) {
        BigDecimal l = BigDecimal.valueOf(longSum[i]);
        total = total == null ? l : total.add(l);
      }
      String s =
          !numeric(c.type()) || !anyValue
              ? null
              : sumNaN[i]
                  ? "NaN"
                  : total == null ? null : total.stripTrailingZeros().toPlainString();
      out.add(
          new ValidationReport.Aggregate(
              rows,
              nulls[i],
              min[i] == null ? null : display(c, min[i]),
              max[i] == null ? null : display(c, max[i]),
              s,
              c.type().isText() && anyValue ? Long.toString(lengths[i]) : null));
    }
    return out;
  }

  private static String display(ColumnCodec c, Object v) {
    if (v instanceof OffsetDateTime t) {
      // an instant is shown in UTC, whatever offset the driver or session gave it
      return t.withOffsetSameInstant(java.time.ZoneOffset.UTC).toString();
    }
    return c.type().isText() ? v.toString() : CanonicalEncoder.display(c, v);
  }

  private static boolean numeric(CanonicalType t) {
    return t.isInteger()
        || t == CanonicalType.DECIMAL
        || t == CanonicalType.REAL
        || t == CanonicalType.DOUBLE;
  }

  private static BigDecimal number(Object v) {
    if (v instanceof BigDecimal d) {
      return d;
    }
    if (v instanceof BigInteger b) {
      return new BigDecimal(b);
    }
    if (v instanceof Double d) {
      return d.isNaN() || d.isInfinite() ? null : new BigDecimal(d);
    }
    if (v instanceof Float f) {
      return f.isNaN() || f.isInfinite() ? null : new BigDecimal((double) f);
    }
    return null;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Comparator<Object> order(CanonicalType t) {
    return switch (t) {
      case SMALLINT, INTEGER, BIGINT, DECIMAL, REAL, DOUBLE ->
          (a, b) -> {
            BigDecimal x = number(a);
            BigDecimal y = number(b);
            if (x == null || y == null) {
              return Double.compare(((Number) a).doubleValue(), ((Number) b).doubleValue());
            }
            return x.compareTo(y);
          };
      case DATE, TIME, TIMESTAMP -> (a, b) -> ((Comparable) a).compareTo(b);
      case TIMESTAMPTZ ->
          (a, b) -> ((OffsetDateTime) a).toInstant().compareTo(((OffsetDateTime) b).toInstant());
      case CHAR, VARCHAR, TEXT -> Comparator.comparing(Object::toString);
      default -> null;
    };
  }
}
