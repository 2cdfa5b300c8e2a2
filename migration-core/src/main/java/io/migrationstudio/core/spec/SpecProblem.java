package io.migrationstudio.core.spec;

import java.util.Objects;

/**
 * One thing wrong with a migration spec: the key path ({@code migrate.chunk_rows}), the value as
 * written (secrets shown as {@code ***}), and the rule it breaks.
 */
public record SpecProblem(String key, String value, String rule) {
  public SpecProblem {
    Objects.requireNonNull(key, "key is required");
    Objects.requireNonNull(rule, "rule is required");
    value = value == null ? "(missing)" : value;
  }

  @Override
  public String toString() {
    return (key.isEmpty() ? "(document)" : key) + " = " + value + ": " + rule;
  }
}
