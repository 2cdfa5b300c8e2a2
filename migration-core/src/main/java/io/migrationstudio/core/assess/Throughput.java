package io.migrationstudio.core.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Read throughput measured on the source ({@code throughput.json}): rows and bytes streamed from
 * the largest tables within a time and size budget, along the path the copy will read them ({@code
 * read_method}: {@value #READ_BINARY_COPY} for a PostgreSQL source, {@value #READ_ROWS} for the
 * engines whose copy decodes rows; see {@code ThroughputProbe}). {@code sampled_bytes} are the
 * sizes of the values as read (text as UTF-8, binary as is, other values by their text form), i.e.
 * roughly what a copy moves; a binary COPY does not decode values, so there they are the first
 * rows' value sizes scaled to the rows read. {@code sampled_relation_bytes} is the share of the
 * tables' on-disk size that was read (table size × rows read / rows), so {@code
 * relation_bytes_per_second} converts a table's on-disk size (as the inventory records it) into a
 * read time without mixing units. {@code target_relation_bytes_per_second} is the same unit written
 * into the target in a timed sample copy (0 when not measured, {@code target_not_measured} saying
 * why). {@code index_bytes_per_second} is how fast the target built the sampled table's indexes and
 * keys on that sample: on-disk source bytes × indexes built per second ({@code
 * index_sampled_indexes} built in {@code index_sampled_millis}; 0 when not measured). {@code
 * source_change_bytes_per_second} is the source's change stream (WAL or binlog) growth over the
 * assessment's sampling window of {@code source_change_window_millis} (null when the source offers
 * no change capture or it could not be read), the rate an {@code online} migration's stream must
 * keep up with. {@code assessment_step_millis} is how long each step of the inventory took on this
 * source: {@code catalog} (the catalogue with exact row counts), {@code consumers} (the session
 * sampling window), {@code read_probe}, {@code target_write_probe} and {@code total} (the whole
 * inventory; empty in a {@code throughput.json} written before this was recorded). {@code
 * target_server_version} is the target's server version as the timed sample copy's connection
 * reported it (null when the target could not be reached, or in a file written before it was
 * recorded): the Mapping stage writes its schema diff's DDL for it.
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
    @JsonProperty("target_not_measured") String targetNotMeasured,
    @JsonProperty("index_bytes_per_second") long indexBytesPerSecond,
    @JsonProperty("index_sampled_indexes") int indexSampledIndexes,
    @JsonProperty("index_sampled_millis") long indexSampledMillis,
    @JsonProperty("source_change_bytes_per_second") Long sourceChangeBytesPerSecond,
    @JsonProperty("source_change_window_millis") long sourceChangeWindowMillis,
    @JsonProperty("read_method") String readMethod,
    @JsonProperty("assessment_step_millis") Map<String, Long> assessmentStepMillis,
    @JsonProperty("target_server_version") String targetServerVersion) {

  /**
   * {@code read_method}: the source's rows were read as a binary {@code COPY ... TO STDOUT}, the
   * path a PostgreSQL source's copy takes.
   */
  public static final String READ_BINARY_COPY = "binary_copy";

  /** {@code read_method}: the source's rows were read and decoded through JDBC. */
  public static final String READ_ROWS = "rows";

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
        null,
        0,
        0,
        0,
        null,
        0,
        null,
        null,
        null);
  }

  /** This throughput with the target's server version (null: not known). */
  public Throughput withTargetServerVersion(String version) {
    Copy c = new Copy(this);
    c.targetServerVersion = version;
    return c.build();
  }

  /**
   * This throughput with the target's write rate: on-disk source bytes per second the target took
   * in a timed sample copy ({@code TargetWriteProbe}); {@code notMeasured} says why when it is 0.
   */
  public Throughput withTarget(
      long relationBytesPerSecond, long rows, long millis, String notMeasured) {
    Copy c = new Copy(this);
    c.targetRelationBytesPerSecond = relationBytesPerSecond;
    c.targetSampledRows = rows;
    c.targetSampledMillis = millis;
    c.targetNotMeasured = notMeasured;
    return c.build();
  }

  /**
   * This throughput with the target's index build rate: {@code indexes} indexes and keys of the
   * sampled table built in {@code millis} on a sample of {@code relationBytes} on-disk source
   * bytes.
   */
  public Throughput withIndexBuild(long relationBytes, int indexes, long millis) {
    long rate =
        indexes == 0
            ? 0
            : Math.max(
                1, Math.round(relationBytes * (double) indexes * 1000.0 / Math.max(1, millis)));
    Copy c = new Copy(this);
    c.indexBytesPerSecond = rate;
    c.indexSampledIndexes = indexes;
    c.indexSampledMillis = millis;
    return c.build();
  }

  /**
   * This throughput with the source's change-stream growth: {@code bytes} of WAL or binlog written
   * in {@code millis} (null bytes: not measured).
   */
  public Throughput withSourceChanges(Long bytes, long millis) {
    Copy c = new Copy(this);
    c.sourceChangeBytesPerSecond =
        bytes == null ? null : Math.round(bytes * 1000.0 / Math.max(1, millis));
    c.sourceChangeWindowMillis = millis;
    return c.build();
  }

  /**
   * This throughput with the time each step of the inventory took, by step ({@code catalog}, {@code
   * consumers}, {@code read_probe}, {@code target_write_probe}, {@code total}).
   */
  public Throughput withAssessmentSteps(Map<String, Long> millis) {
    Copy c = new Copy(this);
    c.assessmentStepMillis = millis;
    return c.build();
  }

  /**
   * This throughput with the path the source read took ({@link #READ_BINARY_COPY} or {@link
   * #READ_ROWS}; null: not recorded, a file written before it was).
   */
  public Throughput withReadMethod(String method) {
    Copy c = new Copy(this);
    c.readMethod = method;
    return c.build();
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
    assessmentStepMillis =
        assessmentStepMillis == null
            ? Map.of()
            : Collections.unmodifiableMap(new TreeMap<>(assessmentStepMillis));
  }

  /** Whether anything was read, i.e. whether the rates mean something. */
  public boolean measured() {
    return sampledRows > 0 && relationBytesPerSecond > 0;
  }

  /** The figures of a throughput, to change some of them (the with-methods) and build anew. */
  private static final class Copy {
    private long rowsPerSecond;
    private long bytesPerSecond;
    private long sampledRows;
    private long sampledBytes;
    private long relationBytesPerSecond;
    private long sampledRelationBytes;
    private long sampledMillis;
    private List<String> sampledTables;
    private long targetRelationBytesPerSecond;
    private long targetSampledRows;
    private long targetSampledMillis;
    private String targetNotMeasured;
    private long indexBytesPerSecond;
    private int indexSampledIndexes;
    private long indexSampledMillis;
    private Long sourceChangeBytesPerSecond;
    private long sourceChangeWindowMillis;
    private String readMethod;
    private Map<String, Long> assessmentStepMillis;
    private String targetServerVersion;

    Copy(Throughput t) {
      rowsPerSecond = t.rowsPerSecond;
      bytesPerSecond = t.bytesPerSecond;
      sampledRows = t.sampledRows;
      sampledBytes = t.sampledBytes;
      relationBytesPerSecond = t.relationBytesPerSecond;
      sampledRelationBytes = t.sampledRelationBytes;
      sampledMillis = t.sampledMillis;
      sampledTables = t.sampledTables;
      targetRelationBytesPerSecond = t.targetRelationBytesPerSecond;
      targetSampledRows = t.targetSampledRows;
      targetSampledMillis = t.targetSampledMillis;
      targetNotMeasured = t.targetNotMeasured;
      indexBytesPerSecond = t.indexBytesPerSecond;
      indexSampledIndexes = t.indexSampledIndexes;
      indexSampledMillis = t.indexSampledMillis;
      sourceChangeBytesPerSecond = t.sourceChangeBytesPerSecond;
      sourceChangeWindowMillis = t.sourceChangeWindowMillis;
      readMethod = t.readMethod;
      assessmentStepMillis = t.assessmentStepMillis;
      targetServerVersion = t.targetServerVersion;
    }

    Throughput build() {
      return new Throughput(
          rowsPerSecond,
          bytesPerSecond,
          sampledRows,
          sampledBytes,
          relationBytesPerSecond,
          sampledRelationBytes,
          sampledMillis,
          sampledTables,
          targetRelationBytesPerSecond,
          targetSampledRows,
          targetSampledMillis,
          targetNotMeasured,
          indexBytesPerSecond,
          indexSampledIndexes,
          indexSampledMillis,
          sourceChangeBytesPerSecond,
          sourceChangeWindowMillis,
          readMethod,
          assessmentStepMillis,
          targetServerVersion);
    }
  }
}
