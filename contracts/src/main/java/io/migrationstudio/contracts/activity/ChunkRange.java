package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One key range of a table: {@code lo <= key < hi} over the leading primary-key column, bounds in
 * their canonical text form, null meaning unbounded. A table without a usable key is one chunk with
 * both bounds null.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChunkRange(int index, String lo, String hi) {
  public ChunkRange {
    if (index < 0) {
      throw new IllegalArgumentException("chunk index must be >= 0, was " + index);
    }
  }
}
