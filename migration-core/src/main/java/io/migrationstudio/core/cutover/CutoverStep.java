package io.migrationstudio.core.cutover;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * One timed step of a rollback drill or a cutover: its phase ({@code rehearsal}, {@code rollback},
 * {@code cutover}), what it did, {@code ok}/{@code failed}/{@code skipped}, the measured duration
 * and a one-line detail (what was checked, or why it failed).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"number", "phase", "name", "status", "millis", "detail"})
public record CutoverStep(
    int number, String phase, String name, String status, long millis, String detail) {
  public static final String OK = "ok";
  public static final String FAILED = "failed";
  public static final String SKIPPED = "skipped";

  public CutoverStep {
    Objects.requireNonNull(name, "step name is required");
    Objects.requireNonNull(status, "step status is required");
    detail = detail == null ? "" : detail;
  }

  public boolean failed() {
    return FAILED.equals(status);
  }
}
