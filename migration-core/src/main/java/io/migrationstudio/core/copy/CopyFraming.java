package io.migrationstudio.core.copy;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Follows the framing of a PostgreSQL binary COPY stream ({@code FORMAT binary}) fed in arbitrary
 * pieces, without decoding any value: the 11-byte signature, the flags and header extension, then
 * per tuple an int16 field count and per field an int32 length ({@code -1} for NULL) and that many
 * bytes, until the int16 {@code -1} trailer. It counts tuples and bytes and hashes the stream.
 *
 * <p>The hash is 64 bits over every byte of the stream (header, tuples, trailer; its 8-byte words
 * mixed in four interleaved lanes) and the stream's length, independent of how the stream is cut
 * into pieces. For a chunk copied by {@link BinaryCopyPipe} it identifies the exact bytes the
 * source sent and the target received: the same rows in the same key order with the same values
 * give the same hash, on any retry. It is not comparable with the canonical row hashes of the
 * decoding path, and it is no proof that the target holds equal values: Validation computes that
 * independently.
 */
public final class CopyFraming {
  static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final long MUL = 0x9E3779B97F4A7C15L;

  private enum State {
    SIGNATURE,
    FLAGS,
    EXTENSION_LENGTH,
    EXTENSION,
    FIELD_COUNT,
    FIELD_LENGTH,
    FIELD,
    DONE
  }

  private State state = State.SIGNATURE;

  /** Bytes still wanted by the current state (an integer being assembled, or bytes to skip). */
  private long need = SIGNATURE.length;

  private int acc;
  private int fieldsLeft;
  private long tuples;
  private long bytes;
  private long nulls;

  private final long[] lanes = {
    0x243F6A8885A308D3L, 0x13198A2E03707344L, 0xA4093822299F31D0L, 0x082EFA98EC4E6C89L
  };
  private long words;
  private long pending;
  private int pendingBytes;

  /** Follows the next {@code len} bytes of the stream. */
  public void accept(byte[] b, int off, int len) {
    frame(b, off, len);
    digest(b, off, len);
  }

  /**
   * Adds the next {@code len} bytes of the stream to its hash only. Together with {@link #frame}
   * over the same bytes, in the same order, it is {@link #accept}; a caller that gathers the stream
   * into large buffers hashes those (fewer, longer runs of whole 8-byte words) and frames each
   * piece as it arrives.
   */
  public void digest(byte[] b, int off, int len) {
    if (len > 0) {
      hashBytes(b, off, len);
    }
  }

  /** Follows the framing of the next {@code len} bytes (counts, checks) without hashing them. */
  public void frame(byte[] b, int off, int len) {
    if (len <= 0) {
      return;
    }
    bytes += len;
    int i = off;
    int end = off + len;
    while (i < end) {
      if (state == State.FIELD_COUNT && need == 2) {
        // the common case: whole tuples inside this piece, followed without per-byte steps
        int next = wholeTuple(b, i, end);
        if (next > i) {
          i = next;
          continue;
        }
      }
      switch (state) {
        case SIGNATURE -> {
          int at = SIGNATURE.length - (int) need;
          if (b[i] != SIGNATURE[at]) {
            throw malformed("the stream does not start with the binary COPY signature");
          }
          i++;
          if (--need == 0) {
            next(State.FLAGS, 4);
          }
        }
        case FLAGS, EXTENSION_LENGTH, FIELD_COUNT, FIELD_LENGTH -> {
          acc = (acc << 8) | (b[i++] & 0xff);
          if (--need == 0) {
            integer();
          }
        }
        case EXTENSION, FIELD -> {
          long skip = Math.min(need, end - i);
          i += (int) skip;
          need -= skip;
          if (need == 0) {
            if (state == State.EXTENSION) {
              next(State.FIELD_COUNT, 2);
            } else {
              endField();
            }
          }
        }
        case DONE -> throw malformed("bytes after the binary COPY trailer");
      }
    }
  }

  /**
   * Follows one complete tuple starting at {@code i} (a field count), returning the offset after
   * it; or {@code i} itself when the tuple does not end inside {@code [i, end)} or is not an
   * ordinary tuple (the trailer, a malformed count or length), which the byte-wise state machine
   * then takes.
   */
  private int wholeTuple(byte[] b, int i, int end) {
    if (end - i < 2) {
      return i;
    }
    int count = (short) (((b[i] & 0xff) << 8) | (b[i + 1] & 0xff));
    if (count < 0) {
      return i;
    }
    int at = i + 2;
    int nullFields = 0;
    for (int f = 0; f < count; f++) {
      if (end - at < 4) {
        return i;
      }
      int length = (int) INTS.get(b, at);
      at += 4;
      if (length == -1) {
        nullFields++;
      } else if (length < 0 || length > end - at) {
        return i;
      } else {
        at += length;
      }
    }
    tuples++;
    nulls += nullFields;
    return at;
  }

  private void integer() {
    int v = acc;
    acc = 0;
    switch (state) {
      case FLAGS -> {
        if ((v & 0x10000) != 0) {
          throw malformed("the stream carries OIDs, which a column-list COPY never sends");
        }
        next(State.EXTENSION_LENGTH, 4);
      }
      case EXTENSION_LENGTH -> {
        if (v < 0) {
          throw malformed("negative header extension length " + v);
        }
        if (v == 0) {
          next(State.FIELD_COUNT, 2);
        } else {
          next(State.EXTENSION, v);
        }
      }
      case FIELD_COUNT -> {
        short count = (short) v;
        if (count == -1) {
          next(State.DONE, 0);
        } else if (count < 0) {
          throw malformed("negative field count " + count + " in tuple " + (tuples + 1));
        } else {
          tuples++;
          fieldsLeft = count;
          if (count == 0) {
            next(State.FIELD_COUNT, 2);
          } else {
            next(State.FIELD_LENGTH, 4);
          }
        }
      }
      case FIELD_LENGTH -> {
        if (v == -1) {
          nulls++;
          endField();
        } else if (v < 0) {
          throw malformed("negative field length " + v + " in tuple " + tuples);
        } else if (v == 0) {
          endField();
        } else {
          next(State.FIELD, v);
        }
      }
      default -> throw new IllegalStateException(state.name());
    }
  }

  private void endField() {
    if (--fieldsLeft == 0) {
      next(State.FIELD_COUNT, 2);
    } else {
      next(State.FIELD_LENGTH, 4);
    }
  }

  private void next(State s, long n) {
    state = s;
    need = n;
  }

  /** Whether the trailer has been read: the stream is complete. */
  public boolean complete() {
    return state == State.DONE;
  }

  /** Tuples seen so far (rows). */
  public long tuples() {
    return tuples;
  }

  /** Bytes seen so far, framing included. */
  public long bytes() {
    return bytes;
  }

  /** NULL fields seen so far. */
  public long nulls() {
    return nulls;
  }

  /** The stream's 64-bit hash (see the class comment), of the bytes seen so far. */
  public long hash() {
    long h = lanes[0];
    h = mix(h ^ Long.rotateLeft(lanes[1], 17));
    h = mix(h ^ Long.rotateLeft(lanes[2], 29));
    h = mix(h ^ Long.rotateLeft(lanes[3], 43));
    if (pendingBytes > 0) {
      h = mix(h ^ pending ^ ((long) pendingBytes << 56));
    }
    return fmix(h ^ bytes);
  }

  /** {@link #hash()} as 16 lower-case hex digits. */
  public String hashHex() {
    return String.format("%016x", hash());
  }

  /** Throws unless the trailer ended the stream. */
  public void requireComplete(String what) {
    if (!complete()) {
      throw malformed(
          what + " ended after " + bytes + " bytes and " + tuples + " tuples without its trailer");
    }
  }

  private void hashBytes(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    while (pendingBytes > 0 && pendingBytes < 8 && i < end) {
      pending |= (b[i++] & 0xffL) << (8 * pendingBytes);
      pendingBytes++;
    }
    if (pendingBytes == 8) {
      word(pending);
      pending = 0;
      pendingBytes = 0;
    }
    while (end - i >= 8 && (words & 3) != 0) {
      word((long) LONGS.get(b, i));
      i += 8;
    }
    // four independent lanes, so the multiplications of consecutive words overlap
    long h0 = lanes[0];
    long h1 = lanes[1];
    long h2 = lanes[2];
    long h3 = lanes[3];
    int blocks = 0;
    while (end - i >= 32) {
      h0 = mix(h0 ^ (long) LONGS.get(b, i));
      h1 = mix(h1 ^ (long) LONGS.get(b, i + 8));
      h2 = mix(h2 ^ (long) LONGS.get(b, i + 16));
      h3 = mix(h3 ^ (long) LONGS.get(b, i + 24));
      i += 32;
      blocks++;
    }
    lanes[0] = h0;
    lanes[1] = h1;
    lanes[2] = h2;
    lanes[3] = h3;
    words += 4L * blocks;
    while (end - i >= 8) {
      word((long) LONGS.get(b, i));
      i += 8;
    }
    while (i < end) {
      pending |= (b[i++] & 0xffL) << (8 * pendingBytes);
      pendingBytes++;
    }
  }

  /** Mixes the stream's next 8-byte word into its lane (word number mod 4). */
  private void word(long w) {
    int lane = (int) (words & 3);
    lanes[lane] = mix(lanes[lane] ^ w);
    words++;
  }

  private static long mix(long h) {
    h *= MUL;
    return Long.rotateLeft(h, 31) * 0xBF58476D1CE4E5B9L;
  }

  private static long fmix(long h) {
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    return h ^ (h >>> 33);
  }

  private MigrationException malformed(String what) {
    return new MigrationException(
        ErrorCode.INTERNAL,
        "binary COPY stream at byte "
            + bytes
            + ": "
            + what
            + "; the source sent something other than PostgreSQL's binary COPY format");
  }
}
