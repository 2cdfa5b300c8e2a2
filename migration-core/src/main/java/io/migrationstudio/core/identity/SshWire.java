package io.migrationstudio.core.identity;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The SSH wire encoding (RFC 4251 §5) as far as keys and signatures need it: {@code uint32}, {@code
 * string} (a length-prefixed byte string) and {@code mpint}. The reader is strict: a length past
 * the end, a negative length or bytes left over are {@link SignatureFormatException}s, never
 * silently truncated.
 */
final class SshWire {
  private SshWire() {}

  /** Reads one blob from the start; {@link #end} checks that nothing is left. */
  static final class Reader {
    private final byte[] data;
    private final String what;
    private int pos;

    Reader(byte[] data, String what) {
      this.data = data;
      this.what = what;
    }

    byte[] raw(int n) {
      if (n < 0 || n > data.length - pos) {
        throw new SignatureFormatException(
            what + " is truncated: " + n + " bytes expected at offset " + pos);
      }
      byte[] out = Arrays.copyOfRange(data, pos, pos + n);
      pos += n;
      return out;
    }

    long uint32() {
      byte[] b = raw(4);
      return ((b[0] & 0xffL) << 24)
          | ((b[1] & 0xffL) << 16)
          | ((b[2] & 0xffL) << 8)
          | (b[3] & 0xffL);
    }

    byte[] string() {
      long n = uint32();
      if (n > data.length - pos) {
        throw new SignatureFormatException(
            what
                + " is malformed: a field of "
                + n
                + " bytes at offset "
                + (pos - 4)
                + " runs past its end");
      }
      return raw((int) n);
    }

    /** A string that must be printable ASCII (names of algorithms, namespaces). */
    String text() {
      byte[] b = string();
      for (byte c : b) {
        if (c < 0x20 || c > 0x7e) {
          throw new SignatureFormatException(what + " holds a name that is not printable ASCII");
        }
      }
      return new String(b, StandardCharsets.US_ASCII);
    }

    BigInteger mpint() {
      byte[] b = string();
      if (b.length > 0 && b[0] < 0) {
        throw new SignatureFormatException(what + " holds a negative number where none may be");
      }
      return new BigInteger(1, b);
    }

    void end() {
      if (pos != data.length) {
        throw new SignatureFormatException(
            what + " has " + (data.length - pos) + " unexpected bytes after its last field");
      }
    }
  }

  /** Builds a blob. */
  static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Writer raw(byte[] b) {
      out.writeBytes(b);
      return this;
    }

    Writer uint32(long v) {
      out.write((int) (v >>> 24) & 0xff);
      out.write((int) (v >>> 16) & 0xff);
      out.write((int) (v >>> 8) & 0xff);
      out.write((int) v & 0xff);
      return this;
    }

    Writer string(byte[] b) {
      uint32(b.length);
      return raw(b);
    }

    Writer string(String s) {
      return string(s.getBytes(StandardCharsets.US_ASCII));
    }

    Writer mpint(BigInteger v) {
      return string(v.toByteArray());
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
