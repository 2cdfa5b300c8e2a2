package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A foreign key of {@code columns} referencing {@code refTable(refColumns)}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ForeignKey(
    String name,
    List<String> columns,
    @JsonProperty("ref_table") String refTable,
    @JsonProperty("ref_columns") List<String> refColumns,
    @JsonProperty("on_delete") String onDelete,
    @JsonProperty("on_update") String onUpdate) {
  public ForeignKey {
    columns = List.copyOf(columns);
    refColumns = List.copyOf(refColumns);
    onDelete = onDelete == null ? "NO ACTION" : onDelete;
    onUpdate = onUpdate == null ? "NO ACTION" : onUpdate;
  }
}
