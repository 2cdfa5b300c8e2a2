package io.migrationstudio.core.copy;

import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.schema.CanonicalType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Decoded rows written to PostgreSQL in its binary COPY format ({@code FORMAT binary}): the backend
 * reads integers, floats, dates and timestamps as fixed-width values instead of parsing their text,
 * and text needs no escaping. Used by {@link ChunkCopier} for every table whose target columns all
 * have a type listed here; other tables keep the text format ({@link CopyText}).
 *
 * <p>Each value is sent as exactly the value the text path would make the backend store: integers
 * as int2/int4/int8, {@code numeric} as base-10000 digits with the value's own display scale (the
 * backend applies the column's typmod in both formats), {@code real}/{@code double precision} as
 * their IEEE bits (the text path writes round-tripping decimals of the same float), dates and
 * timestamps as days/microseconds since 2000-01-01 (infinities as PostgreSQL's), {@code
 * timestamptz} as the instant, text/varchar/char(n) as UTF-8 (the receive functions apply the
 * typmod's length check and char padding exactly as text input does), json as its text, jsonb as
 * version 1 + text, uuid as its 16 bytes, bytea raw.
 *
 * <p>A value whose binary form would not be certain to match what the text path stores (an integer
 * outside the column's width, sub-microsecond times, a uuid not in the canonical 8-4-4-4-12 form)
 * throws {@link NotEncodable}; the caller then copies the chunk in text, where the backend decides
 * as before (a refused row is isolated and quarantined with its SQLState).
 */
public final class BinaryRows {
  /** A value the binary encoder leaves to the text path (see the class comment). */
  public static final class NotEncodable extends RuntimeException {
    NotEncodable(String column, Object value) {
      super("column " + column + ": value left to the text COPY path", null, false, false);
    }
  }

  private static final byte[] HEADER = {
    'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0
  };

  /** Days between 1970-01-01 and PostgreSQL's epoch 2000-01-01. */
  private static final long PG_EPOCH_DAYS = 10_957;

  private static final long PG_EPOCH_SECONDS = PG_EPOCH_DAYS * 86_400;

  private static final BigInteger TEN_THOUSAND = BigInteger.valueOf(10_000);

  enum Kind {
    INT2,
    INT4,
    INT8,
    TEXT,
    BOOL,
    FLOAT4,
    FLOAT8,
    NUMERIC,
    DATE,
    TIME,
    TIMESTAMP,
    TIMESTAMPTZ,
    BYTEA,
    UUID,
    JSON,
    JSONB
  }

  private final Kind[] kinds;
  private final String[] names;
  private final TableSql sql;
  private byte[] buf = new byte[ChunkCopier.COPY_BUFFER_CHARS + 1024];
  private int len;

  private BinaryRows(Kind[] kinds, String[] names, TableSql sql) {
    this.kinds = kinds;
    this.names = names;
    this.sql = sql;
  }

  /**
   * The encoder of {@code sql}'s rows, read by {@code cols}, for the target's real column types;
   * empty when the target is not PostgreSQL or a column's type (or the pairing of its canonical
   * type and target type) is not one this class encodes.
   */
  public static Optional<BinaryRows> forTarget(
      Connection target, TableSql sql, List<ColumnCodec> cols) throws SQLException {
    if (!sql.targetDialect().speaksPostgres() || !target.isWrapperFor(PGConnection.class)) {
      return Optional.empty();
    }
    Map<String, String> types = new HashMap<>();
    try (PreparedStatement ps =
        target.prepareStatement(
            "SELECT a.attname, t.typname FROM pg_catalog.pg_attribute a"
                + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
                + " WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped"
                + " AND n.nspname = 'pg_catalog'")) {
      ps.setString(1, sql.targetTable());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          types.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    Kind[] kinds = new Kind[cols.size()];
    String[] names = new String[cols.size()];
    for (int i = 0; i < kinds.length; i++) {
      ColumnCodec c = cols.get(i);
      names[i] = c.name();
      kinds[i] = kind(c.type(), types.get(c.name()));
      if (kinds[i] == null) {
        return Optional.empty();
      }
    }
    return Optional.of(new BinaryRows(kinds, names, sql));
  }

  /** The binary form for a canonical type written to a pg_catalog type, or null. */
  static Kind kind(CanonicalType type, String pgType) {
    if (pgType == null) {
      return null;
    }
    return switch (type) {
      case SMALLINT, INTEGER, BIGINT ->
          switch (pgType) {
            case "int2" -> Kind.INT2;
            case "int4" -> Kind.INT4;
            case "int8" -> Kind.INT8;
            default -> null;
          };
      case CHAR, VARCHAR, TEXT, ENUM ->
          switch (pgType) {
            case "text", "varchar", "bpchar" -> Kind.TEXT;
            default -> null;
          };
      case BOOLEAN -> pgType.equals("bool") ? Kind.BOOL : null;
      case REAL -> pgType.equals("float4") ? Kind.FLOAT4 : null;
      case DOUBLE -> pgType.equals("float8") ? Kind.FLOAT8 : null;
      case DECIMAL -> pgType.equals("numeric") ? Kind.NUMERIC : null;
      case DATE -> pgType.equals("date") ? Kind.DATE : null;
      case TIME -> pgType.equals("time") ? Kind.TIME : null;
      case TIMESTAMP -> pgType.equals("timestamp") ? Kind.TIMESTAMP : null;
      case TIMESTAMPTZ -> pgType.equals("timestamptz") ? Kind.TIMESTAMPTZ : null;
      case BYTES -> pgType.equals("bytea") ? Kind.BYTEA : null;
      case UUID -> pgType.equals("uuid") ? Kind.UUID : null;
      case JSON ->
          switch (pgType) {
            case "json" -> Kind.JSON;
            case "jsonb" -> Kind.JSONB;
            default -> null;
          };
      default -> null;
    };
  }

  /**
   * Starts a binary COPY of the table on {@code target} (with {@code FREEZE} when asked: the table
   * was truncated in this subtransaction), with the format's header buffered.
   */
  public CopyIn begin(Connection target, boolean freeze) throws SQLException {
    CopyIn copy =
        target.unwrap(PGConnection.class).getCopyAPI().copyIn(BinaryCopyPipe.copyIn(sql, freeze));
    len = 0;
    put(HEADER, 0, HEADER.length);
    return copy;
  }

  /** Buffers one row (values in target column order, none {@link CopyText#unwritable}). */
  public void row(Object[] values) {
    ensure(2);
    putShort(values.length);
    for (int i = 0; i < values.length; i++) {
      Object v = values[i];
      if (v == null) {
        ensure(4);
        putInt(-1);
      } else {
        value(i, v);
      }
    }
  }

  /** Writes the buffer to the COPY when it is full enough. */
  public void flushIfFull(CopyIn copy) throws SQLException {
    if (len >= ChunkCopier.COPY_BUFFER_CHARS) {
      copy.writeToCopy(buf, 0, len);
      len = 0;
    }
  }

  /** Writes the trailer and what is buffered, and ends the COPY. */
  public void end(CopyIn copy) throws SQLException {
    ensure(2);
    putShort(-1);
    copy.writeToCopy(buf, 0, len);
    len = 0;
    copy.endCopy();
  }

  private void value(int i, Object v) {
    switch (kinds[i]) {
      case INT2 -> {
        long n = integer(i, v);
        if (n < Short.MIN_VALUE || n > Short.MAX_VALUE) {
          throw new NotEncodable(names[i], v);
        }
        ensure(6);
        putInt(2);
        putShort((int) n);
      }
      case INT4 -> {
        long n = integer(i, v);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
          throw new NotEncodable(names[i], v);
        }
        ensure(8);
        putInt(4);
        putInt((int) n);
      }
      case INT8 -> {
        long n = integer(i, v);
        ensure(12);
        putInt(8);
        putLong(n);
      }
      case TEXT -> text(v.toString(), false);
      case JSON -> text(v.toString(), false);
      case JSONB -> text(v.toString(), true);
      case BOOL -> {
        ensure(5);
        putInt(1);
        buf[len++] = (byte) (((Boolean) v) ? 1 : 0);
      }
      case FLOAT4 -> {
        ensure(8);
        putInt(4);
        putInt(Float.floatToRawIntBits(((Number) v).floatValue()));
      }
      case FLOAT8 -> {
        ensure(12);
        putInt(8);
        putLong(Double.doubleToRawLongBits(((Number) v).doubleValue()));
      }
      case NUMERIC -> numeric(i, v);
      case DATE -> {
        ensure(8);
        putInt(4);
        putInt(date((LocalDate) v));
      }
      case TIME -> {
        LocalTime t = (LocalTime) v;
        if (t.getNano() % 1000 != 0) {
          throw new NotEncodable(names[i], v);
        }
        ensure(12);
        putInt(8);
        putLong(t.toNanoOfDay() / 1000);
      }
      case TIMESTAMP -> {
        ensure(12);
        putInt(8);
        putLong(timestamp(i, (LocalDateTime) v));
      }
      case TIMESTAMPTZ -> {
        ensure(12);
        putInt(8);
        putLong(timestamptz(i, (OffsetDateTime) v));
      }
      case BYTEA -> {
        byte[] b = (byte[]) v;
        ensure(4 + b.length);
        putInt(b.length);
        put(b, 0, b.length);
      }
      case UUID -> uuid(i, v.toString());
    }
  }

  private long integer(int i, Object v) {
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger b && b.bitLength() < 64) {
      return b.longValue();
    }
    throw new NotEncodable(names[i], v);
  }

  /** UTF-8 text, with jsonb's version byte first; ASCII copied without an intermediate array. */
  private void text(String s, boolean jsonb) {
    int n = s.length();
    int head = jsonb ? 1 : 0;
    ensure(4 + head + n);
    int lenAt = len;
    len += 4;
    if (jsonb) {
      buf[len++] = 1;
    }
    int i = 0;
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        break;
      }
      buf[len++] = (byte) c;
    }
    if (i < n) {
      byte[] rest = s.substring(i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      ensure(rest.length);
      put(rest, 0, rest.length);
    }
    int size = len - lenAt - 4;
    buf[lenAt] = (byte) (size >>> 24);
    buf[lenAt + 1] = (byte) (size >>> 16);
    buf[lenAt + 2] = (byte) (size >>> 8);
    buf[lenAt + 3] = (byte) size;
  }

  private static int date(LocalDate d) {
    if (d.equals(LocalDate.MAX)) {
      return Integer.MAX_VALUE; // PostgreSQL's DATEVAL_NOEND: 'infinity'
    }
    if (d.equals(LocalDate.MIN)) {
      return Integer.MIN_VALUE; // DATEVAL_NOBEGIN: '-infinity'
    }
    return Math.toIntExact(d.toEpochDay() - PG_EPOCH_DAYS);
  }

  private long timestamp(int i, LocalDateTime t) {
    if (t.equals(LocalDateTime.MAX)) {
      return Long.MAX_VALUE;
    }
    if (t.equals(LocalDateTime.MIN)) {
      return Long.MIN_VALUE;
    }
    if (t.getNano() % 1000 != 0) {
      throw new NotEncodable(names[i], t);
    }
    long seconds = t.toEpochSecond(ZoneOffset.UTC) - PG_EPOCH_SECONDS;
    return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), t.getNano() / 1000);
  }

  private long timestamptz(int i, OffsetDateTime t) {
    if (t.equals(OffsetDateTime.MAX)) {
      return Long.MAX_VALUE;
    }
    if (t.equals(OffsetDateTime.MIN)) {
      return Long.MIN_VALUE;
    }
    if (t.getNano() % 1000 != 0) {
      throw new NotEncodable(names[i], t);
    }
    long seconds = t.toEpochSecond() - PG_EPOCH_SECONDS;
    return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), t.getNano() / 1000);
  }

  /** 8-4-4-4-12 hex digits, either case; anything else is left to uuid's text input. */
  private void uuid(int i, String s) {
    if (s.length() != 36) {
      throw new NotEncodable(names[i], s);
    }
    ensure(20);
    putInt(16);
    int at = 0;
    for (int k = 0; k < 16; k++) {
      if (at == 8 || at == 13 || at == 18 || at == 23) {
        if (s.charAt(at) != '-') {
          throw new NotEncodable(names[i], s);
        }
        at++;
      }
      int hi = Character.digit(s.charAt(at), 16);
      int lo = Character.digit(s.charAt(at + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new NotEncodable(names[i], s);
      }
      buf[len++] = (byte) (hi << 4 | lo);
      at += 2;
    }
  }

  /**
   * numeric's binary form: ndigits, weight (of the first base-10000 digit), sign, display scale,
   * then the base-10000 digits without leading or trailing zero digits. NaN and ±Infinity (a Double
   * from the reader) use PostgreSQL's special signs.
   */
  private void numeric(int i, Object v) {
    if (v instanceof Double d) {
      int sign = d.isNaN() ? 0xC000 : d > 0 ? 0xD000 : 0xF000;
      ensure(12);
      putInt(8);
      putShort(0);
      putShort(0);
      putShort(sign);
      putShort(0);
      return;
    }
    if (!(v instanceof BigDecimal d)) {
      throw new NotEncodable(names[i], v);
    }
    int dscale = Math.max(0, d.scale());
    if (dscale > 0x3FFF) {
      throw new NotEncodable(names[i], v);
    }
    int sign = d.signum() < 0 ? 0x4000 : 0;
    // unscaled integer with a scale that is a multiple of 4: value = u * 10^-(4 * fracGroups)
    int fracGroups = (dscale + 3) / 4;
    BigInteger u = d.abs().movePointRight(fracGroups * 4).toBigIntegerExact();
    short[] digits = new short[16];
    int n = 0;
    if (u.bitLength() < 63) {
      long x = u.longValue();
      while (x != 0) {
        if (n == digits.length) {
          digits = Arrays.copyOf(digits, n * 2);
        }
        digits[n++] = (short) (x % 10_000);
        x /= 10_000;
      }
    } else {
      while (u.signum() != 0) {
        BigInteger[] qr = u.divideAndRemainder(TEN_THOUSAND);
        if (n == digits.length) {
          digits = Arrays.copyOf(digits, n * 2);
        }
        digits[n++] = qr[1].shortValue();
        u = qr[0];
      }
    }
    // digits[0] is the least significant group, of weight -fracGroups
    int low = 0;
    while (low < n && digits[low] == 0) {
      low++;
    }
    int ndigits = n - low;
    int weight = ndigits == 0 ? 0 : n - 1 - fracGroups;
    if (ndigits == 0) {
      sign = 0; // zero is positive, as numeric_in makes it
    }
    ensure(12 + 2 * ndigits);
    putInt(8 + 2 * ndigits);
    putShort(ndigits);
    putShort(weight);
    putShort(sign);
    putShort(dscale);
    for (int k = n - 1; k >= low; k--) {
      putShort(digits[k]);
    }
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  private void put(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
  }

  private void putShort(int v) {
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
  }

  private void putInt(int v) {
    buf[len++] = (byte) (v >>> 24);
    buf[len++] = (byte) (v >>> 16);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
  }

  private void putLong(long v) {
    putInt((int) (v >>> 32));
    putInt((int) v);
  }
}
