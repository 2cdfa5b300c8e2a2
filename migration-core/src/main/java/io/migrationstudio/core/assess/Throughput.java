package io.migrationstudio.core.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Read throughput measured on the source ({@code throughput.json}): rows and bytes streamed from
 * the largest tables within a time and row budget. {@code sampled_bytes} are the sizes of the
 * values as read (text as UTF-8, binary as is, other values by their text form), i.e. roughly what
 * a copy moves. {@code sampled_relation_bytes} is the share of the tables' on-disk size that was
 * read (table size × rows read / rows), so {@code relation_bytes_per_second} converts a table's
 * on-disk size (as the inventory records it) into a read time without mixing units. {@code
 * target_relation_bytes_per_second} is the same unit written into the target in a timed sample copy
 * (0 when not measured, {@code target_not_measured} saying why).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Throughput(
    @JsonProperty("rows_per_second") long rowsPerSecond,
    @JsonProperty("bytes_per_second") long bytesPerSecond,
    @JsonProperty("sampled_rows") long sampledRows,
    @JsonProperty("sampled_bytes") long sampledBytes,
    @JsonProperty("relation_bytes_per_second") long relationBytesPerSecond,
    @JsonProperty("sampled_relation_bytes") long sampledRelationBytes,
    @JsonProperty("sampled_millis") long sampledMillis,
    @JsonProperty("sampled_tables") List<String> sampledTables,
    @JsonProperty("target_relation_bytes_per_second") long targetRelationBytesPerSecond,
    @JsonProperty("target_sampled_rows") long targetSampledRows,
    @JsonProperty("target_sampled_millis") long targetSampledMillis,
    @JsonProperty("target_not_measured") String targetNotMeasured) {

  /** Read throughput only (the target's write rate not measured). */
  public Throughput(
      long rowsPerSecond,
      long bytesPerSecond,
      long sampledRows,
      long sampledBytes,
      long relationBytesPerSecond,
      long sampledRelationBytes,
      long sampledMillis,
      List<String> sampledTables) {
    this(
        rowsPerSecond,
        bytesPerSecond,
        sampledRows,
        sampledBytes,
        relationBytesPerSecond,
        sampledRelationBytes,
        sampledMillis,
        sampledTables,
        0,
        0,
        0,
        null);
  }

  /**
   * This throughput with the target's write rate: on-disk source bytes per second the target took
   * in a timed sample copy ({@code TargetWriteProbe}); {@code notMeasured} says why when it is 0.
   */
  public Throughput withTarget(
      long relationBytesPerSecond, long rows, long millis, String notMeasured) {
    return new Throughput(
        rowsPerSecond,
        bytesPerSecond,
        sampledRows,
        sampledBytes,
        this.relationBytesPerSecond,
        sampledRelationBytes,
        sampledMillis,
        sampledTables,
        relationBytesPerSecond,
        rows,
        millis,
        notMeasured);
  }

  public Throughput {
    if (rowsPerSecond < 0
        || bytesPerSecond < 0
        || sampledRows < 0
        || sampledBytes < 0
        || sampledMillis < 0) {
      throw new IllegalArgumentException(
          "throughput figures must not be negative: rows/s="
              + rowsPerSecond
              + " bytes/s="
              + bytesPerSecond
              + " rows="
              + sampledRows
              + " bytes="
              + sampledBytes
              + " relation bytes/s="
              + relationBytesPerSecond
              + " relation bytes="
              + sampledRelationBytes
              + " ms="
              + sampledMillis);
    }
    sampledTables = sampledTables == null ? List.of() : List.copyOf(sampledTables);
  }

  /** Whether anything was read, i.e. whether the rates mean something. */
  public boolean measured() {
    return sampledRows > 0 && relationBytesPerSecond > 0;
  }
}
