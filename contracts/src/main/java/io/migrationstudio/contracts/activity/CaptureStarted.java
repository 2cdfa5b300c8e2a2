package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Objects;

/**
 * The change capture of an online migration, created before the first chunk was read: its name
 * (PostgreSQL: slot and publication) and the source position the stream starts from.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CaptureStarted(String capture, String position) {
  public CaptureStarted {
    Objects.requireNonNull(capture, "capture is required");
    Objects.requireNonNull(position, "position is required");
  }
}
