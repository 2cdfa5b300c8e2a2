package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * How long and how often the assessment looks at the sessions connected to the source to name its
 * consumers. {@code duration}: ISO-8601 duration of the window (default {@code PT2S}; {@code PT0S}
 * takes a single look). {@code samples}: looks spread evenly over the window, the first at its
 * start and the last at its end (default 5; 1 = a single look).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ConsumerWindow(String duration, Integer samples) {
  public static final String DEFAULT_DURATION = "PT2S";
  public static final int DEFAULT_SAMPLES = 5;

  public ConsumerWindow {
    duration = duration == null ? DEFAULT_DURATION : duration;
    samples = samples == null ? DEFAULT_SAMPLES : samples;
    if (samples < 1) {
      throw new IllegalArgumentException(
          "assessment.consumer_window.samples must be >= 1, got " + samples);
    }
  }

  public static ConsumerWindow defaults() {
    return new ConsumerWindow(null, null);
  }
}
