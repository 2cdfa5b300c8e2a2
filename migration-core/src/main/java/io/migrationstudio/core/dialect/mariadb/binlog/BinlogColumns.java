package io.migrationstudio.core.dialect.mariadb.binlog;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The columns of one captured table as {@code information_schema} describes them (read once per
 * table), and the conversion of a binlog cell into the text the server would send for that column
 * in a UTC session: integers with their signedness (the library reads every integer as signed),
 * DECIMAL at the column's scale, FLOAT/DOUBLE as the server prints them, strings decoded strictly
 * in the column's character set, ENUM/SET members by name, BINARY re-padded to its length,
 * UUID/INET4/INET6 in MariaDB's spelling; binary strings, blobs and BIT stay {@code byte[]}.
 *
 * <p>{@code key}: the primary key's column indexes in key order; {@code referenced}: the indexes of
 * the other columns some foreign key references (a unique key), in column order. A change's old key
 * keeps those ({@link #oldKey}).
 */
record BinlogColumns(
    String database, String table, List<Col> columns, List<Integer> key, List<Integer> referenced) {

  /** One column: {@code dataType} is {@code DATA_TYPE}, {@code columnType} {@code COLUMN_TYPE}. */
  record Col(
      String name,
      String dataType,
      String columnType,
      String charset,
      Integer scale,
      Long octets,
      List<String> members) {
    boolean unsigned() {
      return columnType.contains("unsigned");
    }
  }

  BinlogColumns {
    columns = List.copyOf(columns);
    key = List.copyOf(key);
    referenced = List.copyOf(referenced);
  }

  /**
   * A before-image as a change's old key: the primary key's columns first (key order), then the
   * columns a foreign key references beyond it; the whole image for a table without a primary key.
   * The applier finds the row by the key and carries a foreign key that references another unique
   * key from the old values of its columns ({@code CascadeCarrier}: the binlog has no cascaded
   * rows); the other old values are dropped, so a queued update or delete holds no more than that.
   */
  Map<String, Object> oldKey(Map<String, Object> before) {
    if (key.isEmpty()) {
      return before;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i : key) {
      String name = columns.get(i).name();
      out.put(name, before.get(name));
    }
    for (int i : referenced) {
      String name = columns.get(i).name();
      if (before.containsKey(name)) {
        out.put(name, before.get(name));
      }
    }
    return out;
  }

  static BinlogColumns read(Connection c, String database, String table) throws SQLException {
    List<Col> cols = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_SET_NAME, NUMERIC_SCALE,"
                + " CHARACTER_OCTET_LENGTH FROM information_schema.COLUMNS"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
      ps.setString(1, database);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String columnType = rs.getString(3).toLowerCase(Locale.ROOT);
          String dataType = rs.getString(2).toLowerCase(Locale.ROOT);
          long scale = rs.getLong(5);
          Integer sc = rs.wasNull() ? null : (int) scale;
          long octets = rs.getLong(6);
          Long oc = rs.wasNull() ? null : octets;
          cols.add(
              new Col(
                  rs.getString(1),
                  dataType,
                  columnType,
                  rs.getString(4),
                  sc,
                  oc,
                  dataType.equals("enum") || dataType.equals("set")
                      ? members(rs.getString(3))
                      : List.of()));
        }
      }
    }
    List<Integer> key = new ArrayList<>();
    List<Integer> referenced = new ArrayList<>();
    // the primary key's columns, then the columns a foreign key (of any table) references
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT COLUMN_NAME, 1, ORDINAL_POSITION FROM information_schema.KEY_COLUMN_USAGE"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY'"
                + " UNION ALL SELECT DISTINCT REFERENCED_COLUMN_NAME, 2, 0"
                + " FROM information_schema.KEY_COLUMN_USAGE"
                + " WHERE REFERENCED_TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME = ?"
                + " ORDER BY 2, 3")) {
      ps.setString(1, database);
      ps.setString(2, table);
      ps.setString(3, database);
      ps.setString(4, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          for (int i = 0; i < cols.size(); i++) {
            // a foreign key spells the referenced column as its DDL did; names have no case
            if (cols.get(i).name().equalsIgnoreCase(rs.getString(1))
                && !key.contains(i)
                && !referenced.contains(i)) {
              (rs.getInt(2) == 1 ? key : referenced).add(i);
            }
          }
        }
      }
    }
    referenced.sort(null);
    return new BinlogColumns(database, table, cols, key, referenced);
  }

  /** The members of {@code enum('a','b''c')} / {@code set(...)} as MySQL spells the type. */
  static List<String> members(String type) {
    return io.migrationstudio.core.dialect.mariadb.MariaDbDialect.members(type);
  }

  /** The text (or bytes) of column {@code i}'s binlog cell {@code v}; null stays null. */
  Object value(int i, Serializable v) {
    if (v == null) {
      return null;
    }
    Col c = columns.get(i);
    try {
      return convert(c, v);
    } catch (CharacterCodingException e) {
      throw new MigrationException(
          ErrorCode.PERMANENT_SQL,
          "the binlog value of column "
              + database
              + "."
              + table
              + "."
              + c.name()
              + " is not valid "
              + c.charset()
              + " text; fix the stored value on the source (the copy reads it the same way)",
          e);
    }
  }

  private static Object convert(Col c, Serializable v) throws CharacterCodingException {
    return switch (c.dataType()) {
      case "tinyint" -> integer(v, c.unsigned(), 0xFFL);
      case "smallint" -> integer(v, c.unsigned(), 0xFFFFL);
      case "mediumint" -> integer(v, c.unsigned(), 0xFFFFFFL);
      case "int", "integer" -> integer(v, c.unsigned(), 0xFFFFFFFFL);
      case "bigint" ->
          c.unsigned() ? Long.toUnsignedString(((Number) v).longValue()) : v.toString();
      case "decimal", "numeric" ->
          ((BigDecimal) v)
              .setScale(c.scale() == null ? 0 : c.scale(), RoundingMode.UNNECESSARY)
              .toPlainString();
      case "float" -> FloatText.of(((Number) v).floatValue());
      case "double", "real" -> FloatText.of(((Number) v).doubleValue());
      case "enum" -> {
        int index = ((Number) v).intValue();
        yield index == 0 ? "" : c.members().get(index - 1);
      }
      case "set" -> {
        long bits = ((Number) v).longValue();
        StringBuilder sb = new StringBuilder();
        for (int b = 0; b < c.members().size(); b++) {
          if ((bits & (1L << b)) != 0) {
            sb.append(sb.length() == 0 ? "" : ",").append(c.members().get(b));
          }
        }
        yield sb.toString();
      }
      // fixed-size binary types: the binlog drops their trailing zero bytes, as for BINARY(n)
      case "uuid" -> uuid(pad((byte[]) v, 16L));
      case "inet4" -> inet4(pad((byte[]) v, 4L));
      case "inet6" -> inet6(pad((byte[]) v, 16L));
      case "json" ->
          v instanceof byte[] b && c.charset() == null
              ? jsonBinary(b)
              : decode(c, (byte[]) v); // MariaDB: longtext
      case "binary" -> pad((byte[]) v, c.octets());
      default -> v instanceof byte[] b ? (c.charset() == null ? b : decode(c, b)) : v.toString();
    };
  }

  private static String integer(Serializable v, boolean unsigned, long mask) {
    long n = ((Number) v).longValue();
    return Long.toString(unsigned ? n & mask : n);
  }

  private static byte[] pad(byte[] b, Long length) {
    return length == null || b.length >= length ? b : Arrays.copyOf(b, length.intValue());
  }

  private static String jsonBinary(byte[] b) {
    try {
      return com.github.shyiko.mysql.binlog.event.deserialization.json.JsonBinary.parseAsString(b);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable MySQL JSON value in the binlog", e);
    }
  }

  static String decode(Col c, byte[] b) throws CharacterCodingException {
    return charset(c.charset())
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(b))
        .toString();
  }

  private static final Map<String, String> CHARSETS =
      Map.ofEntries(
          Map.entry("utf8mb4", "UTF-8"),
          Map.entry("utf8mb3", "UTF-8"),
          Map.entry("utf8", "UTF-8"),
          Map.entry("latin1", "windows-1252"),
          Map.entry("ascii", "US-ASCII"),
          Map.entry("ucs2", "UTF-16BE"),
          Map.entry("utf16", "UTF-16BE"),
          Map.entry("utf16le", "UTF-16LE"),
          Map.entry("utf32", "UTF-32BE"),
          Map.entry("latin2", "ISO-8859-2"),
          Map.entry("latin5", "ISO-8859-9"),
          Map.entry("latin7", "ISO-8859-13"),
          Map.entry("greek", "ISO-8859-7"),
          Map.entry("hebrew", "ISO-8859-8"),
          Map.entry("cp1250", "windows-1250"),
          Map.entry("cp1251", "windows-1251"),
          Map.entry("cp1256", "windows-1256"),
          Map.entry("cp1257", "windows-1257"),
          Map.entry("cp850", "IBM850"),
          Map.entry("cp852", "IBM852"),
          Map.entry("cp866", "IBM866"),
          Map.entry("koi8r", "KOI8-R"),
          Map.entry("koi8u", "KOI8-U"),
          Map.entry("macroman", "x-MacRoman"),
          Map.entry("sjis", "Shift_JIS"),
          Map.entry("cp932", "windows-31j"),
          Map.entry("ujis", "EUC-JP"),
          Map.entry("eucjpms", "EUC-JP"),
          Map.entry("gbk", "GBK"),
          Map.entry("gb2312", "GB2312"),
          Map.entry("gb18030", "GB18030"),
          Map.entry("big5", "Big5"),
          Map.entry("euckr", "EUC-KR"),
          Map.entry("tis620", "TIS-620"));

  static Charset charset(String mysqlName) {
    String java = CHARSETS.get(mysqlName == null ? "" : mysqlName.toLowerCase(Locale.ROOT));
    if (java == null) {
      throw new MigrationException(
          ErrorCode.UNSUPPORTED_TYPE,
          "change capture cannot decode character set '"
              + mysqlName
              + "' from the binlog; convert the column to utf8mb4 on the source or copy the"
              + " table with migrate.strategy: bulk");
    }
    return Charset.forName(java);
  }

  /**
   * MariaDB's UUID is stored with its segments swapped (time-low last) when it is an RFC 4122 UUID
   * of versions 1 to 5, so that time-based UUIDs sort by time; any other UUID is stored as it is.
   */
  static String uuid(byte[] r) {
    byte[] t = r;
    int version = (r[8] & 0xF0) >> 4;
    if (r.length == 16 && version >= 1 && version <= 5 && (r[6] & 0x80) != 0) {
      t = new byte[16];
      System.arraycopy(r, 12, t, 0, 4);
      System.arraycopy(r, 10, t, 4, 2);
      System.arraycopy(r, 8, t, 6, 2);
      System.arraycopy(r, 6, t, 8, 2);
      System.arraycopy(r, 0, t, 10, 6);
    }
    StringBuilder sb = new StringBuilder(36);
    for (int i = 0; i < t.length; i++) {
      if (i == 4 || i == 6 || i == 8 || i == 10) {
        sb.append('-');
      }
      sb.append(String.format("%02x", t[i] & 0xFF));
    }
    return sb.toString();
  }

  static String inet4(byte[] b) {
    return (b[0] & 0xFF) + "." + (b[1] & 0xFF) + "." + (b[2] & 0xFF) + "." + (b[3] & 0xFF);
  }

  /**
   * RFC 5952 text as BIND's {@code inet_ntop6} (which MariaDB's INET6 follows) writes it: the
   * longest run of two or more zero groups as {@code ::}, an IPv4-mapped or -compatible address
   * with its last 32 bits dotted.
   */
  static String inet6(byte[] b) {
    int[] w = new int[8];
    for (int i = 0; i < 8; i++) {
      w[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
    }
    int bestBase = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (w[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && w[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestBase = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (bestLen < 2) {
      bestBase = -1;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
        if (i == bestBase) {
          sb.append(':');
        }
        continue;
      }
      if (i != 0) {
        sb.append(':');
      }
      if (i == 6
          && bestBase == 0
          && (bestLen == 6 || (bestLen == 7 && w[7] != 1) || (bestLen == 5 && w[5] == 0xFFFF))) {
        sb.append(inet4(Arrays.copyOfRange(b, 12, 16)));
        return sb.toString();
      }
      sb.append(Integer.toHexString(w[i]));
    }
    if (bestBase >= 0 && bestBase + bestLen == 8) {
      sb.append(':');
    }
    return sb.toString();
  }
}
