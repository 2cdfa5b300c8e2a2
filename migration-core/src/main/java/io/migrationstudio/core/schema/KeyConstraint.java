package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** A primary or unique key: its name and columns in key order. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record KeyConstraint(String name, List<String> columns) {
  public KeyConstraint {
    columns = List.copyOf(columns);
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("key " + name + " has no columns");
    }
  }
}
