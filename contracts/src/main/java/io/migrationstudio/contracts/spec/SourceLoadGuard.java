package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;

/**
 * {@code migrate.source_load_guard}: chunk reads pause while more than {@code max_active_sessions}
 * client sessions of the source database are executing a statement (the studio's own reading
 * sessions included), looking again every {@code backoff} (an ISO-8601 duration like {@code
 * cutover.rto}; default {@code PT5S}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SourceLoadGuard(
    @JsonProperty("max_active_sessions") Integer maxActiveSessions, String backoff) {
  public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(5);

  public SourceLoadGuard {
    if (maxActiveSessions != null && maxActiveSessions < 0) {
      throw new IllegalArgumentException(
          "migrate.source_load_guard.max_active_sessions must be >= 0, got " + maxActiveSessions);
    }
  }

  /** The pause between two looks at the source's sessions. */
  @JsonIgnore
  public Duration backoffDuration() {
    return backoff == null ? DEFAULT_BACKOFF : Duration.parse(backoff);
  }
}
