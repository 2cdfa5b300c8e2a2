package io.migrationstudio.studio;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * HPACK (RFC 7541) for {@link PlainGrpcChannel}: a decoder of header blocks (static and dynamic
 * table, Huffman strings) and an encoder that writes every field as a literal without indexing and
 * without Huffman coding (always valid, and the request headers of a gRPC call are a few short
 * lines). One decoder per connection: its dynamic table lives as long as the connection.
 */
final class Hpack {
  /** The dynamic table size a decoder starts with (SETTINGS_HEADER_TABLE_SIZE, default). */
  static final int DEFAULT_TABLE_SIZE = 4096;

  private static final String[] STATIC_TABLE = {
    ":authority", "",
    ":method", "GET",
    ":method", "POST",
    ":path", "/",
    ":path", "/index.html",
    ":scheme", "http",
    ":scheme", "https",
    ":status", "200",
    ":status", "204",
    ":status", "206",
    ":status", "304",
    ":status", "400",
    ":status", "404",
    ":status", "500",
    "accept-charset", "",
    "accept-encoding", "gzip, deflate",
    "accept-language", "",
    "accept-ranges", "",
    "accept", "",
    "access-control-allow-origin", "",
    "age", "",
    "allow", "",
    "authorization", "",
    "cache-control", "",
    "content-disposition", "",
    "content-encoding", "",
    "content-language", "",
    "content-length", "",
    "content-location", "",
    "content-range", "",
    "content-type", "",
    "cookie", "",
    "date", "",
    "etag", "",
    "expect", "",
    "expires", "",
    "from", "",
    "host", "",
    "if-match", "",
    "if-modified-since", "",
    "if-none-match", "",
    "if-range", "",
    "if-unmodified-since", "",
    "last-modified", "",
    "link", "",
    "location", "",
    "max-forwards", "",
    "proxy-authenticate", "",
    "proxy-authorization", "",
    "range", "",
    "referer", "",
    "refresh", "",
    "retry-after", "",
    "server", "",
    "set-cookie", "",
    "strict-transport-security", "",
    "transfer-encoding", "",
    "user-agent", "",
    "vary", "",
    "via", "",
    "www-authenticate", ""
  };

  /** Huffman codes of the symbols 0..256 (256 is end of string), RFC 7541 appendix B. */
  private static final int[] HUFFMAN_CODES = {
    0x1ff8,
    0x7fffd8,
    0xfffffe2,
    0xfffffe3,
    0xfffffe4,
    0xfffffe5,
    0xfffffe6,
    0xfffffe7,
    0xfffffe8,
    0xffffea,
    0x3ffffffc,
    0xfffffe9,
    0xfffffea,
    0x3ffffffd,
    0xfffffeb,
    0xfffffec,
    0xfffffed,
    0xfffffee,
    0xfffffef,
    0xffffff0,
    0xffffff1,
    0xffffff2,
    0x3ffffffe,
    0xffffff3,
    0xffffff4,
    0xffffff5,
    0xffffff6,
    0xffffff7,
    0xffffff8,
    0xffffff9,
    0xffffffa,
    0xffffffb,
    0x14,
    0x3f8,
    0x3f9,
    0xffa,
    0x1ff9,
    0x15,
    0xf8,
    0x7fa,
    0x3fa,
    0x3fb,
    0xf9,
    0x7fb,
    0xfa,
    0x16,
    0x17,
    0x18,
    0x0,
    0x1,
    0x2,
    0x19,
    0x1a,
    0x1b,
    0x1c,
    0x1d,
    0x1e,
    0x1f,
    0x5c,
    0xfb,
    0x7ffc,
    0x20,
    0xffb,
    0x3fc,
    0x1ffa,
    0x21,
    0x5d,
    0x5e,
    0x5f,
    0x60,
    0x61,
    0x62,
    0x63,
    0x64,
    0x65,
    0x66,
    0x67,
    0x68,
    0x69,
    0x6a,
    0x6b,
    0x6c,
    0x6d,
    0x6e,
    0x6f,
    0x70,
    0x71,
    0x72,
    0xfc,
    0x73,
    0xfd,
    0x1ffb,
    0x7fff0,
    0x1ffc,
    0x3ffc,
    0x22,
    0x7ffd,
    0x3,
    0x23,
    0x4,
    0x24,
    0x5,
    0x25,
    0x26,
    0x27,
    0x6,
    0x74,
    0x75,
    0x28,
    0x29,
    0x2a,
    0x7,
    0x2b,
    0x76,
    0x2c,
    0x8,
    0x9,
    0x2d,
    0x77,
    0x78,
    0x79,
    0x7a,
    0x7b,
    0x7ffe,
    0x7fc,
    0x3ffd,
    0x1ffd,
    0xffffffc,
    0xfffe6,
    0x3fffd2,
    0xfffe7,
    0xfffe8,
    0x3fffd3,
    0x3fffd4,
    0x3fffd5,
    0x7fffd9,
    0x3fffd6,
    0x7fffda,
    0x7fffdb,
    0x7fffdc,
    0x7fffdd,
    0x7fffde,
    0xffffeb,
    0x7fffdf,
    0xffffec,
    0xffffed,
    0x3fffd7,
    0x7fffe0,
    0xffffee,
    0x7fffe1,
    0x7fffe2,
    0x7fffe3,
    0x7fffe4,
    0x1fffdc,
    0x3fffd8,
    0x7fffe5,
    0x3fffd9,
    0x7fffe6,
    0x7fffe7,
    0xffffef,
    0x3fffda,
    0x1fffdd,
    0xfffe9,
    0x3fffdb,
    0x3fffdc,
    0x7fffe8,
    0x7fffe9,
    0x1fffde,
    0x7fffea,
    0x3fffdd,
    0x3fffde,
    0xfffff0,
    0x1fffdf,
    0x3fffdf,
    0x7fffeb,
    0x7fffec,
    0x1fffe0,
    0x1fffe1,
    0x3fffe0,
    0x1fffe2,
    0x7fffed,
    0x3fffe1,
    0x7fffee,
    0x7fffef,
    0xfffea,
    0x3fffe2,
    0x3fffe3,
    0x3fffe4,
    0x7ffff0,
    0x3fffe5,
    0x3fffe6,
    0x7ffff1,
    0x3ffffe0,
    0x3ffffe1,
    0xfffeb,
    0x7fff1,
    0x3fffe7,
    0x7ffff2,
    0x3fffe8,
    0x1ffffec,
    0x3ffffe2,
    0x3ffffe3,
    0x3ffffe4,
    0x7ffffde,
    0x7ffffdf,
    0x3ffffe5,
    0xfffff1,
    0x1ffffed,
    0x7fff2,
    0x1fffe3,
    0x3ffffe6,
    0x7ffffe0,
    0x7ffffe1,
    0x3ffffe7,
    0x7ffffe2,
    0xfffff2,
    0x1fffe4,
    0x1fffe5,
    0x3ffffe8,
    0x3ffffe9,
    0xffffffd,
    0x7ffffe3,
    0x7ffffe4,
    0x7ffffe5,
    0xfffec,
    0xfffff3,
    0xfffed,
    0x1fffe6,
    0x3fffe9,
    0x1fffe7,
    0x1fffe8,
    0x7ffff3,
    0x3fffea,
    0x3fffeb,
    0x1ffffee,
    0x1ffffef,
    0xfffff4,
    0xfffff5,
    0x3ffffea,
    0x7ffff4,
    0x3ffffeb,
    0x7ffffe6,
    0x3ffffec,
    0x3ffffed,
    0x7ffffe7,
    0x7ffffe8,
    0x7ffffe9,
    0x7ffffea,
    0x7ffffeb,
    0xffffffe,
    0x7ffffec,
    0x7ffffed,
    0x7ffffee,
    0x7ffffef,
    0x7fffff0,
    0x3ffffee,
    0x3fffffff
  };

  private static final byte[] HUFFMAN_LENGTHS = {
    13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28,
    28, 28, 28, 28, 28, 28, 28, 28, 6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5,
    6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, 13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, 15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
    6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, 20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23,
    23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, 22, 21, 20,
    22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22,
    22, 23, 22, 22, 23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26,
    27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, 20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25,
    25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, 30
  };

  /** Symbol by (code length << 32 | code), built on the first Huffman string. */
  private static Map<Long, Integer> huffmanSymbols;

  private final ArrayDeque<String[]> dynamic = new ArrayDeque<>();
  private int dynamicSize;
  private int maxSize = DEFAULT_TABLE_SIZE;

  /** Appends {@code name: value} to {@code out} as a literal without indexing (new name). */
  static void encodeLiteral(ByteArrayOutputStream out, String name, String value) {
    out.write(0);
    writeString(out, name);
    writeString(out, value);
  }

  private static void writeString(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeInt(out, 0, 7, b.length);
    out.write(b, 0, b.length);
  }

  static void writeInt(ByteArrayOutputStream out, int firstByte, int prefixBits, int value) {
    int max = (1 << prefixBits) - 1;
    if (value < max) {
      out.write(firstByte | value);
      return;
    }
    out.write(firstByte | max);
    value -= max;
    while (value >= 128) {
      out.write((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out.write(value);
  }

  /** The fields of one complete header block, in order (name, value pairs). */
  List<String[]> decode(byte[] block) {
    List<String[]> fields = new ArrayList<>();
    Reader r = new Reader(block);
    while (r.pos < block.length) {
      int b = block[r.pos] & 0xff;
      if ((b & 0x80) != 0) {
        fields.add(entry(r.integer(7)));
      } else if ((b & 0xc0) == 0x40) {
        String[] f = literal(r, 6);
        add(f);
        fields.add(f);
      } else if ((b & 0xe0) == 0x20) {
        int size = r.integer(5);
        if (size > DEFAULT_TABLE_SIZE) {
          throw new IllegalStateException(
              "HPACK: table size update to " + size + " above " + DEFAULT_TABLE_SIZE);
        }
        maxSize = size;
        evict();
      } else {
        fields.add(literal(r, 4));
      }
    }
    return fields;
  }

  private String[] literal(Reader r, int prefixBits) {
    int index = r.integer(prefixBits);
    String name = index == 0 ? r.string() : entry(index)[0];
    return new String[] {name, r.string()};
  }

  private String[] entry(int index) {
    if (index <= 0) {
      throw new IllegalStateException("HPACK: header index 0");
    }
    if (index <= STATIC_TABLE.length / 2) {
      return new String[] {STATIC_TABLE[2 * index - 2], STATIC_TABLE[2 * index - 1]};
    }
    int i = index - STATIC_TABLE.length / 2 - 1;
    if (i >= dynamic.size()) {
      throw new IllegalStateException("HPACK: header index " + index + " beyond the tables");
    }
    int k = 0;
    for (String[] e : dynamic) {
      if (k++ == i) {
        return e;
      }
    }
    throw new AssertionError();
  }

  private void add(String[] f) {
    int size = 32 + utf8Length(f[0]) + utf8Length(f[1]);
    if (size > maxSize) {
      dynamic.clear();
      dynamicSize = 0;
      return;
    }
    dynamic.addFirst(f);
    dynamicSize += size;
    evict();
  }

  private void evict() {
    while (dynamicSize > maxSize && !dynamic.isEmpty()) {
      String[] e = dynamic.removeLast();
      dynamicSize -= 32 + utf8Length(e[0]) + utf8Length(e[1]);
    }
  }

  private static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** Decodes a Huffman-coded string (RFC 7541 §5.2). */
  static String huffman(byte[] b, int off, int len) {
    Map<Long, Integer> symbols = huffmanTable();
    ByteArrayOutputStream out = new ByteArrayOutputStream(len * 2);
    long code = 0;
    int bits = 0;
    for (int i = off; i < off + len; i++) {
      for (int j = 7; j >= 0; j--) {
        code = (code << 1) | ((b[i] >> j) & 1);
        bits++;
        Integer sym = symbols.get(((long) bits << 32) | code);
        if (sym != null) {
          if (sym == 256) {
            throw new IllegalStateException("HPACK: end of string inside a Huffman string");
          }
          out.write(sym);
          code = 0;
          bits = 0;
        } else if (bits > 30) {
          throw new IllegalStateException("HPACK: invalid Huffman code");
        }
      }
    }
    // padding: at most 7 bits, all ones (the most significant bits of end of string)
    if (bits > 7 || code != (1L << bits) - 1) {
      throw new IllegalStateException("HPACK: invalid Huffman padding");
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static synchronized Map<Long, Integer> huffmanTable() {
    if (huffmanSymbols == null) {
      Map<Long, Integer> m = new HashMap<>();
      for (int s = 0; s < HUFFMAN_CODES.length; s++) {
        m.put(((long) HUFFMAN_LENGTHS[s] << 32) | (HUFFMAN_CODES[s] & 0xffffffffL), s);
      }
      huffmanSymbols = m;
    }
    return huffmanSymbols;
  }

  private static final class Reader {
    final byte[] b;
    int pos;

    Reader(byte[] b) {
      this.b = b;
    }

    int integer(int prefixBits) {
      int max = (1 << prefixBits) - 1;
      int value = next() & max;
      if (value < max) {
        return value;
      }
      for (int shift = 0; ; shift += 7) {
        if (shift > 21) {
          throw new IllegalStateException("HPACK: integer too large");
        }
        int c = next();
        value += (c & 0x7f) << shift;
        if ((c & 0x80) == 0) {
          return value;
        }
      }
    }

    String string() {
      boolean huffman = (b[pos] & 0x80) != 0;
      int len = integer(7);
      if (len > b.length - pos) {
        throw new IllegalStateException("HPACK: string longer than its header block");
      }
      String s = huffman ? huffman(b, pos, len) : new String(b, pos, len, StandardCharsets.UTF_8);
      pos += len;
      return s;
    }

    private int next() {
      if (pos >= b.length) {
        throw new IllegalStateException("HPACK: header block ends inside a field");
      }
      return b[pos++] & 0xff;
    }
  }
}
