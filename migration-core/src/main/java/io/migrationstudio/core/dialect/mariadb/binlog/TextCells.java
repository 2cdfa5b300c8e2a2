package io.migrationstudio.core.dialect.mariadb.binlog;

import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.DeleteRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.UpdateRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.WriteRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * Row cells whose binlog form the library would turn into {@code java.util.Date}s or a {@code
 * BitSet} are read here straight into what the server shows over the text protocol in a UTC
 * session: dates, times and datetimes as their wall text with exactly the column's fractional
 * digits, a TIMESTAMP (stored as seconds since the epoch) as its UTC text, YEAR as four digits, BIT
 * as its raw big-endian bytes. Zero dates stay zero dates ({@code 0000-00-00}); negative TIMEs and
 * TIMEs beyond a day keep their sign and hours (the library's own decoding drops both).
 *
 * <p>The layouts are MySQL 5.6's temporal formats ({@code DATETIME2}, {@code TIME2}, {@code
 * TIMESTAMP2}, used by MariaDB since 10.1), as {@code my_time.c} and {@code my_datetime_packed_
 * from_binary} define them, plus the older whole-second formats.
 */
final class TextCells {
  private TextCells() {}

  private static final long DATETIMEF_INT_OFS = 0x8000000000L;
  private static final long TIMEF_INT_OFS = 0x800000L;
  private static final long TIMEF_OFS = 0x800000000000L;

  /** DATE: 3 bytes little-endian, day | month << 5 | year << 9. */
  static String date(ByteArrayInputStream in) throws IOException {
    int v = in.readInteger(3);
    return dateText(v >> 9, (v >> 5) & 0xF, v & 0x1F);
  }

  /** DATETIME2: 5 bytes big-endian with an offset, then the fraction. */
  static String datetime2(int fsp, ByteArrayInputStream in) throws IOException {
    long packed = bigEndian(in.read(5)) - DATETIMEF_INT_OFS;
    int frac = fraction(fsp, in, false, 0)[1];
    long ymd = packed >> 17;
    long ym = ymd >> 5;
    long hms = packed & ((1 << 17) - 1);
    return dateText((int) (ym / 13), (int) (ym % 13), (int) (ymd & 0x1F))
        + " "
        + clock(false, (int) (hms >> 12), (int) ((hms >> 6) & 0x3F), (int) (hms & 0x3F))
        + fractionText(frac, fsp);
  }

  /** TIMESTAMP2: 4 bytes big-endian seconds since the epoch, then the fraction; 0 is zero. */
  static String timestamp2(int fsp, ByteArrayInputStream in) throws IOException {
    long seconds = bigEndian(in.read(4));
    int frac = fraction(fsp, in, false, 0)[1];
    return instantText(seconds, frac, fsp);
  }

  /** TIME2: 3 bytes (6 with microseconds) big-endian with an offset, signed. */
  static String time2(int fsp, ByteArrayInputStream in) throws IOException {
    long packed;
    switch (fsp) {
      case 1, 2, 3, 4 -> {
        long intpart = bigEndian(in.read(3)) - TIMEF_INT_OFS;
        int[] f = fraction(fsp, in, true, intpart);
        packed = ((intpart + f[0]) << 24) + f[1];
      }
      case 5, 6 -> packed = bigEndian(in.read(6)) - TIMEF_OFS;
      default -> packed = (bigEndian(in.read(3)) - TIMEF_INT_OFS) << 24;
    }
    boolean negative = packed < 0;
    long abs = Math.abs(packed);
    long hms = abs >> 24;
    int micros = (int) (abs & 0xFFFFFF);
    return clock(
            negative, (int) ((hms >> 12) & 0x3FF), (int) ((hms >> 6) & 0x3F), (int) (hms & 0x3F))
        + fractionText(micros, fsp);
  }

  /** TIMESTAMP (old format): 4 bytes little-endian seconds. */
  static String timestamp(ByteArrayInputStream in) throws IOException {
    return instantText(in.readLong(4), 0, 0);
  }

  /** DATETIME (old format): 8 bytes little-endian, the decimal number YYYYMMDDhhmmss. */
  static String datetime(ByteArrayInputStream in) throws IOException {
    long v = in.readLong(8);
    long d = v / 1_000_000;
    long t = v % 1_000_000;
    return dateText((int) (d / 10000), (int) (d / 100 % 100), (int) (d % 100))
        + " "
        + clock(false, (int) (t / 10000), (int) (t / 100 % 100), (int) (t % 100));
  }

  /** TIME (old format): 3 bytes little-endian signed, the decimal number hhmmss. */
  static String time(ByteArrayInputStream in) throws IOException {
    int v = (in.readInteger(3) << 8) >> 8;
    int a = Math.abs(v);
    return clock(v < 0, a / 10000, a / 100 % 100, a % 100);
  }

  /** YEAR: one byte, years since 1900; 0 is the zero year. */
  static String year(ByteArrayInputStream in) throws IOException {
    int v = in.readInteger(1);
    return v == 0 ? "0000" : Integer.toString(1900 + v);
  }

  /** BIT(n): {@code meta} is bytes << 8 | extra bits; the stored bytes are big-endian. */
  static byte[] bit(int meta, ByteArrayInputStream in) throws IOException {
    int bits = (meta >> 8) * 8 + (meta & 0xFF);
    return in.read((bits + 7) / 8);
  }

  private static String instantText(long seconds, int micros, int fsp) {
    if (seconds == 0 && micros == 0) {
      return "0000-00-00 00:00:00" + fractionText(0, fsp);
    }
    LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochSecond(seconds), ZoneOffset.UTC);
    return dateText(t.getYear(), t.getMonthValue(), t.getDayOfMonth())
        + " "
        + clock(false, t.getHour(), t.getMinute(), t.getSecond())
        + fractionText(micros, fsp);
  }

  /**
   * The fraction of {@code fsp} digits as microseconds ({@code [1]}); for a negative TIME with a
   * 1-4 digit fraction, {@code [0]} is the carry into the integer part (MySQL stores those
   * fractions complemented).
   */
  private static int[] fraction(int fsp, ByteArrayInputStream in, boolean signed, long intpart)
      throws IOException {
    int length = (fsp + 1) / 2;
    if (length == 0) {
      return new int[] {0, 0};
    }
    int raw = (int) bigEndian(in.read(length));
    int carry = 0;
    if (signed && intpart < 0 && raw != 0) {
      carry = 1;
      raw -= 1 << (8 * length);
    }
    int unit = length == 1 ? 10000 : length == 2 ? 100 : 1;
    return new int[] {carry, raw * unit};
  }

  private static String fractionText(int micros, int fsp) {
    if (fsp <= 0) {
      return "";
    }
    String six = String.format("%06d", Math.abs(micros));
    return "." + six.substring(0, Math.min(fsp, 6));
  }

  private static String dateText(int year, int month, int day) {
    return String.format("%04d-%02d-%02d", year, month, day);
  }

  private static String clock(boolean negative, int hours, int minutes, int seconds) {
    return (negative ? "-" : "") + String.format("%02d:%02d:%02d", hours, minutes, seconds);
  }

  private static long bigEndian(byte[] bytes) {
    long v = 0;
    for (byte b : bytes) {
      v = (v << 8) | (b & 0xFF);
    }
    return v;
  }

  /** The library's column reading, with the cells above read as text. */
  static Serializable cell(
      com.github.shyiko.mysql.binlog.event.deserialization.ColumnType type,
      int meta,
      ByteArrayInputStream in)
      throws IOException {
    return switch (type) {
      case DATE -> date(in);
      case DATETIME_V2 -> datetime2(meta, in);
      case TIMESTAMP_V2 -> timestamp2(meta, in);
      case TIME_V2 -> time2(meta, in);
      case DATETIME -> datetime(in);
      case TIMESTAMP -> timestamp(in);
      case TIME -> time(in);
      case YEAR -> year(in);
      case BIT -> bit(meta, in);
      default -> null;
    };
  }

  /** WRITE_ROWS with text cells. */
  static final class Writes extends WriteRowsEventDataDeserializer {
    Writes(Map<Long, TableMapEventData> tables) {
      super(tables);
    }

    @Override
    protected Serializable deserializeCell(
        com.github.shyiko.mysql.binlog.event.deserialization.ColumnType type,
        int meta,
        int length,
        ByteArrayInputStream in)
        throws IOException {
      Serializable text = cell(type, meta, in);
      return text != null || handled(type) ? text : super.deserializeCell(type, meta, length, in);
    }
  }

  /** UPDATE_ROWS with text cells. */
  static final class Updates extends UpdateRowsEventDataDeserializer {
    Updates(Map<Long, TableMapEventData> tables) {
      super(tables);
    }

    @Override
    protected Serializable deserializeCell(
        com.github.shyiko.mysql.binlog.event.deserialization.ColumnType type,
        int meta,
        int length,
        ByteArrayInputStream in)
        throws IOException {
      Serializable text = cell(type, meta, in);
      return text != null || handled(type) ? text : super.deserializeCell(type, meta, length, in);
    }
  }

  /** DELETE_ROWS with text cells. */
  static final class Deletes extends DeleteRowsEventDataDeserializer {
    Deletes(Map<Long, TableMapEventData> tables) {
      super(tables);
    }

    @Override
    protected Serializable deserializeCell(
        com.github.shyiko.mysql.binlog.event.deserialization.ColumnType type,
        int meta,
        int length,
        ByteArrayInputStream in)
        throws IOException {
      Serializable text = cell(type, meta, in);
      return text != null || handled(type) ? text : super.deserializeCell(type, meta, length, in);
    }
  }

  private static boolean handled(
      com.github.shyiko.mysql.binlog.event.deserialization.ColumnType t) {
    return switch (t) {
      case DATE, DATETIME_V2, TIMESTAMP_V2, TIME_V2, DATETIME, TIMESTAMP, TIME, YEAR, BIT -> true;
      default -> false;
    };
  }
}
