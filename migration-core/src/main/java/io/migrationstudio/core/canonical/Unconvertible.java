package io.migrationstudio.core.canonical;

import java.util.Objects;

/**
 * A source value that has no faithful value of its target type (a MySQL zero date, a SQLite date
 * text that is no date, a {@code tinyint(1)} holding 7 for a boolean). It travels in place of the
 * value: Migrate quarantines its row with {@link #reason} (never writes or drops it silently), the
 * compatibility review counts it, and validation hashes it as its own tagged value, so the row can
 * never match a target row.
 */
public record Unconvertible(String raw, String reason) {
  public Unconvertible {
    Objects.requireNonNull(raw, "raw value is required");
    Objects.requireNonNull(reason, "reason is required");
  }
}
