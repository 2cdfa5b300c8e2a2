package io.migrationstudio.core.canonical;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Hashes rows and chunks over the canonical encoding.
 *
 * <p>A row hash is XXH64 (seed 0, {@link XxHash64}) over the concatenated canonical encodings of
 * the row's values in target column order. A fast non-cryptographic hash is enough: it only has to
 * tell one row from its counterpart (64 bits), nobody chooses the rows to collide on purpose, and
 * validation hashes every row of both sides, so SHA-256 (used before) was most of the client-side
 * checksum time. The encoding is hashed in place in a reused buffer, without a copy per row.
 *
 * <p>A chunk hash is the sum of its row hashes modulo 2^64, as 16 lower-case hex digits. Addition
 * is order-independent, so source and target may return rows in different orders (collations,
 * parallel scans) and still agree; unlike XOR, a row present twice does not cancel itself out. Not
 * thread-safe: one instance per thread.
 */
public final class RowHasher {
  private static final long SEED = 0;

  private final Buffer buffer = new Buffer();

  public RowHasher() {}

  /** The 64-bit hash of one row of values, each read with the codec at the same position. */
  public long hashRow(List<ColumnCodec> codecs, Object[] values) {
    buffer.reset();
    for (int i = 0; i < codecs.size(); i++) {
      CanonicalEncoder.encode(codecs.get(i), values[i], buffer);
    }
    return buffer.hash();
  }

  /** The 64-bit hash of an already encoded row. */
  public long hash(byte[] encodedRow) {
    return XxHash64.hash(encodedRow, 0, encodedRow.length, SEED);
  }

  /**
   * The encoder's output buffer, hashed where it lies (its array and count are protected). Its
   * writes skip {@link ByteArrayOutputStream}'s locking: the encoder writes a few times per value
   * and an instance never leaves its thread.
   */
  private static final class Buffer extends ByteArrayOutputStream {
    Buffer() {
      super(256);
    }

    @Override
    public void write(int b) {
      if (count == buf.length) {
        grow(1);
      }
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      if (len > buf.length - count) {
        grow(len);
      }
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    private void grow(int more) {
      buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
    }

    long hash() {
      return XxHash64.hash(buf, 0, count, SEED);
    }
  }

  /** An order-independent accumulator of row hashes (sum mod 2^64) and the row count. */
  public static final class ChunkDigest {
    private long sum;
    private long rows;

    public void add(long rowHash) {
      sum += rowHash;
      rows++;
    }

    public long rows() {
      return rows;
    }

    /** 16 hex digits; an empty chunk is all zeros. */
    public String hex() {
      return toHex(sum);
    }
  }

  public static String toHex(long value) {
    String s = Long.toHexString(value);
    return "0".repeat(16 - s.length()) + s;
  }
}
