package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A view or materialized view with its definition. {@code depends_on} names the tables, views and
 * materialized views it reads, sorted; one in another schema is {@code schema.name}. {@code
 * column_list} is the column list the view's DDL declares ({@code CREATE VIEW v (a, b) AS ...})
 * when the definition does not carry the names itself (SQLite keeps them outside the SELECT);
 * empty, and absent from the JSON, otherwise.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ViewInfo(
    String schema,
    String name,
    boolean materialized,
    String definition,
    @JsonProperty("depends_on") List<String> dependsOn,
    @JsonProperty("column_list") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<String> columnList) {
  @JsonCreator
  public ViewInfo {
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    columnList = columnList == null ? List.of() : List.copyOf(columnList);
  }

  /** A view whose DDL declares no column list. */
  public ViewInfo(
      String schema, String name, boolean materialized, String definition, List<String> dependsOn) {
    this(schema, name, materialized, definition, dependsOn, List.of());
  }

  /** A view whose dependencies were not catalogued. */
  public ViewInfo(String schema, String name, boolean materialized, String definition) {
    this(schema, name, materialized, definition, List.of());
  }
}
