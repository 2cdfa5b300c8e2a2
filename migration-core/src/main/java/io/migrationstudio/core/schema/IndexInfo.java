package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A secondary index (not backing a primary or unique constraint). {@code columns} is empty for an
 * expression index; {@code definition} is the source's own DDL; {@code method} e.g. btree.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IndexInfo(
    String name,
    List<String> columns,
    boolean unique,
    String method,
    String predicate,
    String definition) {
  public IndexInfo {
    columns = columns == null ? List.of() : List.copyOf(columns);
  }
}
