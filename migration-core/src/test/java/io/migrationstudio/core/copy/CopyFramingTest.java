package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CopyFramingTest {
  /** A binary COPY stream: header (with an extension), the given tuples, the trailer. */
  private static byte[] stream(int extension, byte[][]... tuples) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(CopyFraming.SIGNATURE);
    out.writeInt(0);
    out.writeInt(extension);
    for (int i = 0; i < extension; i++) {
      out.writeByte(i);
    }
    for (byte[][] tuple : tuples) {
      out.writeShort(tuple.length);
      for (byte[] field : tuple) {
        if (field == null) {
          out.writeInt(-1);
        } else {
          out.writeInt(field.length);
          out.write(field);
        }
      }
    }
    out.writeShort(-1);
    return bytes.toByteArray();
  }

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] sample() throws IOException {
    return stream(
        3,
        new byte[][] {{0, 0, 0, 1}, text("ä\tb"), null},
        new byte[][] {{0, 0, 0, 2}, new byte[0], text("x".repeat(300))},
        new byte[][] {},
        new byte[][] {null, null, null});
  }

  @Test
  void countsTuplesNullsAndBytesOfAWholeStream() throws IOException {
    byte[] s = sample();
    CopyFraming f = new CopyFraming();
    f.accept(s, 0, s.length);
    assertTrue(f.complete());
    assertEquals(4, f.tuples());
    assertEquals(4, f.nulls());
    assertEquals(s.length, f.bytes());
    f.requireComplete("test stream");
  }

  @Test
  void everySplitOfTheStreamGivesTheSameCountsAndHash() throws IOException {
    byte[] s = sample();
    CopyFraming whole = new CopyFraming();
    whole.accept(s, 0, s.length);
    for (int a = 0; a <= s.length; a++) {
      CopyFraming f = new CopyFraming();
      f.accept(s, 0, a);
      assertEquals(a == s.length, f.complete(), "split at " + a);
      f.accept(s, a, s.length - a);
      assertTrue(f.complete(), "split at " + a);
      assertEquals(4, f.tuples(), "split at " + a);
      assertEquals(4, f.nulls(), "split at " + a);
      assertEquals(whole.hash(), f.hash(), "split at " + a);
    }
  }

  @Test
  void framingAndHashingTheSameBytesInDifferentPiecesAgreeWithAccept() throws IOException {
    byte[][][] tuples = new byte[500][][];
    for (int t = 0; t < tuples.length; t++) {
      tuples[t] =
          new byte[][] {{0, 0, (byte) (t >> 8), (byte) t}, t % 7 == 0 ? null : text("v" + t), {}};
    }
    byte[] s = stream(0, tuples);
    CopyFraming whole = new CopyFraming();
    whole.accept(s, 0, s.length);
    assertEquals(500, whole.tuples());
    assertEquals(72, whole.nulls());
    for (int piece : new int[] {1, 3, 13, 64, 1000}) {
      for (int hashPiece : new int[] {5, 8, 256, s.length}) {
        CopyFraming f = new CopyFraming();
        for (int i = 0; i < s.length; i += piece) {
          f.frame(s, i, Math.min(piece, s.length - i));
        }
        for (int i = 0; i < s.length; i += hashPiece) {
          f.digest(s, i, Math.min(hashPiece, s.length - i));
        }
        assertTrue(f.complete(), piece + "/" + hashPiece);
        assertEquals(500, f.tuples(), piece + "/" + hashPiece);
        assertEquals(72, f.nulls(), piece + "/" + hashPiece);
        assertEquals(whole.hash(), f.hash(), piece + "/" + hashPiece);
      }
    }
  }

  @Test
  void byteByByteAndThreeWaySplitsAgree() throws IOException {
    byte[] s = sample();
    CopyFraming whole = new CopyFraming();
    whole.accept(s, 0, s.length);
    CopyFraming single = new CopyFraming();
    for (int i = 0; i < s.length; i++) {
      single.accept(s, i, 1);
    }
    assertEquals(whole.hash(), single.hash());
    assertEquals(4, single.tuples());
    for (int a = 0; a < s.length; a += 7) {
      for (int b = a; b <= s.length; b += 5) {
        CopyFraming f = new CopyFraming();
        f.accept(s, 0, a);
        f.accept(s, a, b - a);
        f.accept(s, b, s.length - b);
        assertEquals(whole.hash(), f.hash(), a + "/" + b);
        assertEquals(4, f.tuples(), a + "/" + b);
      }
    }
  }

  @Test
  void theHashDependsOnEveryByteAndOnNullVersusEmpty() throws IOException {
    byte[] a = stream(0, new byte[][] {{1}, new byte[0]});
    byte[] b = stream(0, new byte[][] {{1}, null});
    byte[] c = stream(0, new byte[][] {{2}, new byte[0]});
    assertNotEquals(hash(a), hash(b));
    assertNotEquals(hash(a), hash(c));
    assertEquals(hash(a), hash(a.clone()));
    // a stream of zero bytes and one that differs only in trailing zero bytes of a field
    byte[] d = stream(0, new byte[][] {{1, 0}});
    byte[] e = stream(0, new byte[][] {{1, 0, 0}});
    assertNotEquals(hash(d), hash(e));
  }

  private static long hash(byte[] s) {
    CopyFraming f = new CopyFraming();
    f.accept(s, 0, s.length);
    return f.hash();
  }

  @Test
  void anEmptyTableIsHeaderAndTrailer() throws IOException {
    byte[] s = stream(0);
    CopyFraming f = new CopyFraming();
    f.accept(s, 0, s.length);
    assertTrue(f.complete());
    assertEquals(0, f.tuples());
    assertEquals(21, f.bytes());
  }

  @Test
  void aTruncatedStreamIsNotComplete() throws IOException {
    byte[] s = sample();
    CopyFraming f = new CopyFraming();
    f.accept(s, 0, s.length - 1);
    assertFalse(f.complete());
    MigrationException e =
        assertThrows(MigrationException.class, () -> f.requireComplete("the test stream"));
    assertEquals(ErrorCode.INTERNAL, e.code());
  }

  @Test
  void rejectsAWrongSignatureBytesAfterTheTrailerAndNegativeLengths() throws IOException {
    byte[] s = sample();
    byte[] wrong = s.clone();
    wrong[1] = 'X';
    assertThrows(MigrationException.class, () -> new CopyFraming().accept(wrong, 0, wrong.length));

    byte[] extra = java.util.Arrays.copyOf(s, s.length + 1);
    assertThrows(MigrationException.class, () -> new CopyFraming().accept(extra, 0, extra.length));

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(CopyFraming.SIGNATURE);
    out.writeInt(0);
    out.writeInt(0);
    out.writeShort(1);
    out.writeInt(-2);
    byte[] negative = bytes.toByteArray();
    assertThrows(
        MigrationException.class, () -> new CopyFraming().accept(negative, 0, negative.length));
  }
}
