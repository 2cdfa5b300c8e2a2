package io.migrationstudio.core.cdc;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A position in a source's log, stored as text ({@link #text()}, read back by {@link #parse}) in
 * the target's studio schema and in evidence. Positions of one kind are ordered; the applier skips
 * a transaction whose commit position is at or below the one it stored.
 */
public sealed interface StreamPosition extends Comparable<StreamPosition> {
  /** The stored form: {@code pg:0/16B3748} or {@code binlog:<file>:<offset>[:<gtid>]}. */
  String text();

  /** Reads {@link #text()}; an unknown form is an {@link IllegalArgumentException} naming it. */
  static StreamPosition parse(String text) {
    Objects.requireNonNull(text, "position text is required");
    if (text.startsWith("pg:")) {
      return PgLsn.parse(text.substring(3));
    }
    if (text.startsWith("binlog:")) {
      return BinlogPosition.parse(text.substring(7));
    }
    throw new IllegalArgumentException(
        "not a stream position: '" + text + "' (expected pg:<lsn> or binlog:<file>:<offset>)");
  }

  /** A PostgreSQL WAL location. */
  record PgLsn(long value) implements StreamPosition {
    private static final Pattern FORM = Pattern.compile("([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})");

    public static PgLsn parse(String lsn) {
      Matcher m = FORM.matcher(lsn);
      if (!m.matches()) {
        throw new IllegalArgumentException("not a PostgreSQL LSN: '" + lsn + "'");
      }
      return new PgLsn(Long.parseLong(m.group(1), 16) << 32 | Long.parseLong(m.group(2), 16));
    }

    /** PostgreSQL's spelling, e.g. {@code 0/16B3748}. */
    public String lsn() {
      return Long.toHexString(value >>> 32).toUpperCase()
          + "/"
          + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
    }

    @Override
    public String text() {
      return "pg:" + lsn();
    }

    @Override
    public int compareTo(StreamPosition o) {
      if (!(o instanceof PgLsn other)) {
        throw new IllegalArgumentException("cannot order " + text() + " and " + o.text());
      }
      return Long.compareUnsigned(value, other.value);
    }
  }

  /**
   * A binlog coordinate: file and byte offset of a transaction boundary, with the transaction's
   * GTID when the server has one ({@code domain-server-sequence} on MariaDB, {@code uuid:n} on
   * MySQL; may be null). Ordered by file (binlog file names sort by their numeric suffix) then
   * offset; the GTID is carried for resuming and reports, not for ordering.
   */
  record BinlogPosition(String file, long offset, String gtid) implements StreamPosition {
    public BinlogPosition {
      Objects.requireNonNull(file, "binlog file is required");
      if (file.isBlank() || file.contains(":")) {
        throw new IllegalArgumentException("not a binlog file name: '" + file + "'");
      }
      if (offset < 0) {
        throw new IllegalArgumentException("binlog offset must be >= 0, was " + offset);
      }
      gtid = gtid == null || gtid.isBlank() ? null : gtid;
    }

    public static BinlogPosition parse(String text) {
      String[] parts = text.split(":", 3);
      if (parts.length < 2) {
        throw new IllegalArgumentException("not a binlog position: '" + text + "'");
      }
      try {
        return new BinlogPosition(
            parts[0], Long.parseLong(parts[1]), parts.length == 3 ? parts[2] : null);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a binlog position: '" + text + "'", e);
      }
    }

    @Override
    public String text() {
      return "binlog:" + file + ":" + offset + (gtid == null ? "" : ":" + gtid);
    }

    @Override
    public int compareTo(StreamPosition o) {
      if (!(o instanceof BinlogPosition other)) {
        throw new IllegalArgumentException("cannot order " + text() + " and " + o.text());
      }
      int byFile = file.compareTo(other.file);
      return byFile != 0 ? byFile : Long.compare(offset, other.offset);
    }
  }
}
