package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;
import java.util.Set;

/**
 * A stored routine of the source. {@code kind} is {@code function}, {@code procedure} or {@code
 * aggregate}; {@code arguments} the argument list as the source spells it (without parentheses,
 * {@code ""} when none); {@code returns} the result type (null for procedures); {@code definition}
 * the source's own DDL or body. Overloads share a name and differ in {@code arguments}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RoutineInfo(
    String schema,
    String name,
    String kind,
    String language,
    String arguments,
    String returns,
    String definition) {
  /** The allowed values of {@code kind}. */
  public static final Set<String> KINDS = Set.of("function", "procedure", "aggregate");

  public RoutineInfo {
    Objects.requireNonNull(name, "routine name is required");
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException(
          "routine " + name + " has kind " + kind + "; expected one of " + KINDS);
    }
    arguments = arguments == null ? "" : arguments;
  }
}
