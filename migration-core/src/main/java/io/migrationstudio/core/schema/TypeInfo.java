package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A user-defined type of the source. {@code kind} is {@code enum}, {@code domain}, {@code
 * composite} or {@code range}. {@code values} are an enum's labels in declaration order, or a
 * composite's attributes as {@code name type} in attribute order (empty otherwise); {@code
 * base_type} is a domain's base type or a range's subtype; {@code constraint} a domain's CHECK
 * constraints joined by {@code " AND "} (null when none).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TypeInfo(
    String schema,
    String name,
    String kind,
    List<String> values,
    @JsonProperty("base_type") String baseType,
    String constraint) {
  /** The allowed values of {@code kind}. */
  public static final Set<String> KINDS = Set.of("enum", "domain", "composite", "range");

  public TypeInfo {
    Objects.requireNonNull(name, "type name is required");
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException(
          "type " + name + " has kind " + kind + "; expected one of " + KINDS);
    }
    values = values == null ? List.of() : List.copyOf(values);
  }
}
