package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Optional;

/** A table of the source with its keys, constraints, indexes, exact row count and size. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TableInfo(
    String schema,
    String name,
    List<Column> columns,
    @JsonProperty("primary_key") KeyConstraint primaryKey,
    @JsonProperty("unique_keys") List<KeyConstraint> uniqueKeys,
    @JsonProperty("foreign_keys") List<ForeignKey> foreignKeys,
    List<CheckConstraint> checks,
    List<IndexInfo> indexes,
    @JsonProperty("row_count") long rowCount,
    @JsonProperty("size_bytes") long sizeBytes) {
  public TableInfo {
    columns = List.copyOf(columns);
    uniqueKeys = uniqueKeys == null ? List.of() : List.copyOf(uniqueKeys);
    foreignKeys = foreignKeys == null ? List.of() : List.copyOf(foreignKeys);
    checks = checks == null ? List.of() : List.copyOf(checks);
    indexes = indexes == null ? List.of() : List.copyOf(indexes);
  }

  public Optional<Column> column(String columnName) {
    return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
  }
}
