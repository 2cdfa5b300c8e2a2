package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A view or materialized view with its definition. {@code depends_on} names the tables, views and
 * materialized views it reads, sorted; one in another schema is {@code schema.name}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ViewInfo(
    String schema,
    String name,
    boolean materialized,
    String definition,
    @JsonProperty("depends_on") List<String> dependsOn) {
  @JsonCreator
  public ViewInfo {
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
  }

  /** A view whose dependencies were not catalogued. */
  public ViewInfo(String schema, String name, boolean materialized, String definition) {
    this(schema, name, materialized, definition, List.of());
  }
}
