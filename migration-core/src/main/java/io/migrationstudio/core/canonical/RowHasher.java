package io.migrationstudio.core.canonical;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Hashes rows and chunks over the canonical encoding.
 *
 * <p>A row hash is the first 8 bytes of SHA-256 over the concatenated canonical encodings of the
 * row's values in target column order (SHA-256 because the JDK ships it and it has no weak inputs;
 * 64 bits of it are plenty to compare one row with its counterpart).
 *
 * <p>A chunk hash is the sum of its row hashes modulo 2^64, as 16 lower-case hex digits. Addition
 * is order-independent, so source and target may return rows in different orders (collations,
 * parallel scans) and still agree; unlike XOR, a row present twice does not cancel itself out. Not
 * thread-safe: one instance per thread.
 */
public final class RowHasher {
  private final MessageDigest sha256;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);

  public RowHasher() {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new MigrationException(ErrorCode.INTERNAL, "the JDK has no SHA-256", e);
    }
  }

  /** The 64-bit hash of one row of values, each read with the codec at the same position. */
  public long hashRow(List<ColumnCodec> codecs, Object[] values) {
    buffer.reset();
    for (int i = 0; i < codecs.size(); i++) {
      CanonicalEncoder.encode(codecs.get(i), values[i], buffer);
    }
    return hash(buffer.toByteArray());
  }

  /** The 64-bit hash of an already encoded row. */
  public long hash(byte[] encodedRow) {
    byte[] d = sha256.digest(encodedRow);
    long h = 0;
    for (int i = 0; i < 8; i++) {
      h = (h << 8) | (d[i] & 0xff);
    }
    return h;
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
