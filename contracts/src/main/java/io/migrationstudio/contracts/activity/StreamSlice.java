package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.spec.MigrationSpec;
import java.util.Objects;

/**
 * One bounded slice of the apply loop: read the stream of {@code capture} from the position the
 * target holds, apply, confirm, for about {@code sliceMillis}; {@code mappingCommit} names the
 * mapping the changes go through (the one the copy used).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StreamSlice(
    String migrationId,
    MigrationSpec spec,
    String branch,
    String mappingCommit,
    String capture,
    String startPosition,
    long sliceMillis) {
  public StreamSlice {
    Objects.requireNonNull(migrationId, "migrationId is required");
    Objects.requireNonNull(spec, "spec is required");
    Objects.requireNonNull(capture, "capture is required");
    if (sliceMillis <= 0) {
      throw new IllegalArgumentException("sliceMillis must be > 0, was " + sliceMillis);
    }
  }
}
