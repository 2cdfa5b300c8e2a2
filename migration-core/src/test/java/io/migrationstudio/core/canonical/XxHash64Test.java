package io.migrationstudio.core.canonical;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * XXH64 against well-known test vectors ("", "a", "abc", "xxhash", the spammish repetition) and
 * against outputs of the reference C implementation (libxxhash 0.8.1, through python-xxhash) for
 * every tail shape: lengths below and above the 32-byte stripe, with 8-, 4- and 1-byte remainders,
 * seed 0 and a non-zero seed.
 */
class XxHash64Test {
  private static final long SEED = 0x9E3779B185EBCA87L;

  private static long xxh(String s, long seed) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    return XxHash64.hash(b, 0, b.length, seed);
  }

  @Test
  void publishedVectors() {
    assertEquals(0xef46db3751d8e999L, xxh("", 0));
    assertEquals(0xd24ec4f1a98c6e5bL, xxh("a", 0));
    assertEquals(0x44bc2cf5ad770999L, xxh("abc", 0));
    assertEquals(0x32dd38952c4bc720L, xxh("xxhash", 0));
    assertEquals(0x48b35aa98dc04f56L, xxh("xxhash", 20));
    assertEquals(0xfbcea83c8a378bf1L, xxh("Nobody inspects the spammish repetition", 0));
    assertEquals(0x617ad5c41b8a82b5L, xxh("", 20));
  }

  /** {length, hash with seed 0, hash with SEED} of bytes (i * 31 + 7) & 0xff, i = 0..length-1. */
  private static final long[][] REFERENCE = {
    {1, 0xa96c7f0ce858bbb7L, 0x0c810166b30122a5L},
    {3, 0x56e6957632a487f9L, 0x45163cdc31e15be1L},
    {4, 0xc60d15b1e3ff8f04L, 0xb000bcf3f8bcaefeL},
    {7, 0xafbefc3d6c6f9a8eL, 0xe10f33af8c4758a3L},
    {8, 0x3da5c7aa269683e0L, 0xcb4a80ecc7a094c6L},
    {9, 0x4b17a9ba9e215c09L, 0xd98eea92daace6dbL},
    {12, 0x8fe8ab1c1fd0666eL, 0x04717862c4fbfca8L},
    {15, 0xae2a37eb9357caa7L, 0x3eb4d31a7b8359caL},
    {16, 0xa19ad429b02bc413L, 0x0e3f56e88f759a50L},
    {31, 0x4a74f3a1a39ad4a1L, 0x659ec2b1252d56f5L},
    {32, 0x8d57d6a4671cc43dL, 0xf113d2457128cf6dL},
    {33, 0x62c9fd21ed857664L, 0x84575b860242fe41L},
    {36, 0xa4475c606b0abc3cL, 0x9928c5d314f8e1adL},
    {39, 0x1789542489e59cc4L, 0xe9732ec1485fd04dL},
    {40, 0x49b45332e280f187L, 0xafb4f23e8eb64418L},
    {63, 0x5c320a0d2707057fL, 0x355cc1872a486c6eL},
    {64, 0x7bbabbc45729d17eL, 0xea2d5e8a98bec153L},
    {65, 0xf3980c34bae65dc1L, 0xe6f9eb9a843fa660L},
    {100, 0xefa0ad2d3e70c151L, 0xe10cfef3a9a0a5c5L},
    {255, 0x2c3db4bb567f731eL, 0x84edc49075b3f3f1L},
    {1000, 0x99594f4828043d35L, 0xd79c60b94f81cbf0L},
  };

  @Test
  void referenceOutputsForEveryTailShape() {
    for (long[] v : REFERENCE) {
      int n = (int) v[0];
      byte[] b = new byte[n];
      for (int i = 0; i < n; i++) {
        b[i] = (byte) (i * 31 + 7);
      }
      assertEquals(v[1], XxHash64.hash(b, 0, n, 0), "length " + n + ", seed 0");
      assertEquals(v[2], XxHash64.hash(b, 0, n, SEED), "length " + n + ", seed " + SEED);
      // the same bytes at an offset inside a larger array hash the same
      byte[] wide = new byte[n + 11];
      System.arraycopy(b, 0, wide, 5, n);
      assertEquals(v[1], XxHash64.hash(wide, 5, n, 0), "length " + n + " at offset 5");
    }
  }

  @Test
  void rejectsRangesOutsideTheArray() {
    assertThrows(IndexOutOfBoundsException.class, () -> XxHash64.hash(new byte[4], 2, 3, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> XxHash64.hash(new byte[4], -1, 1, 0));
  }
}
