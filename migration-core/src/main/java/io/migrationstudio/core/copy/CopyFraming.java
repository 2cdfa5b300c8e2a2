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
 * <p>The hash is 64 bits over every byte of the stream (header, tuples, trailer) and the stream's
 * length, independent of how the stream is cut into pieces. For a chunk copied by {@link
 * BinaryCopyPipe} it identifies the exact bytes the source sent and the target received: the same
 * rows in the same key order with the same values give the same hash, on any retry. It is not
 * comparable with the canonical row hashes of the decoding path, and it is no proof that the target
 * holds equal values: Validation computes that independently.
 */
public final class CopyFraming {
  static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
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

  private long hash = 0x243F6A8885A308D3L;
  private long pending;
  private int pendingBytes;

  /** Follows the next {@code len} bytes of the stream. */
  public void accept(byte[] b, int off, int len) {
    if (len <= 0) {
      return;
    }
    hashBytes(b, off, len);
    bytes += len;
    int i = off;
    int end = off + len;
    while (i < end) {
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
    long h = hash;
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
      hash = mix(hash ^ pending);
      pending = 0;
      pendingBytes = 0;
    }
    long h = hash;
    while (end - i >= 8) {
      h = mix(h ^ (long) LONGS.get(b, i));
      i += 8;
    }
    hash = h;
    while (i < end) {
      pending |= (b[i++] & 0xffL) << (8 * pendingBytes);
      pendingBytes++;
    }
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
