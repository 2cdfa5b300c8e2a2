package io.migrationstudio.core.mapping;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.KeyConstraint;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How one source table becomes one target table: the columns' dispositions, and the target's keys,
 * foreign keys and indexes in target names. {@code filter} is an optional row filter in the source
 * dialect. Migrate builds the target schema from this alone. {@code inheritance_parent} (written
 * only when true) marks a PostgreSQL table-inheritance parent ({@code INHERITS} children, not
 * partitioning): its children's rows are theirs, so every read of it on either side (chunk
 * planning, the copy, counts, validation) is {@code FROM ONLY} ({@link
 * io.migrationstudio.core.dialect.Dialect#only}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({
  "source",
  "target",
  "filter",
  "primary_key",
  "columns",
  "unique_keys",
  "foreign_keys",
  "indexes",
  "inheritance_parent"
})
public record TableMapping(
    String source,
    String target,
    String filter,
    @JsonProperty("primary_key") List<String> primaryKey,
    List<ColumnMapping> columns,
    @JsonProperty("unique_keys") List<KeyConstraint> uniqueKeys,
    @JsonProperty("foreign_keys") List<ForeignKey> foreignKeys,
    List<IndexInfo> indexes,
    @JsonProperty("inheritance_parent") @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        boolean inheritanceParent) {
  /** A table that is no inheritance parent. */
  public TableMapping(
      String source,
      String target,
      String filter,
      List<String> primaryKey,
      List<ColumnMapping> columns,
      List<KeyConstraint> uniqueKeys,
      List<ForeignKey> foreignKeys,
      List<IndexInfo> indexes) {
    this(source, target, filter, primaryKey, columns, uniqueKeys, foreignKeys, indexes, false);
  }

  public TableMapping {
    Objects.requireNonNull(source, "table source is required");
    Objects.requireNonNull(target, "table target is required for " + source);
    primaryKey = primaryKey == null ? List.of() : List.copyOf(primaryKey);
    columns = List.copyOf(columns);
    uniqueKeys = uniqueKeys == null ? List.of() : List.copyOf(uniqueKeys);
    foreignKeys = foreignKeys == null ? List.of() : List.copyOf(foreignKeys);
    indexes = indexes == null ? List.of() : List.copyOf(indexes);
  }

  /** This table with {@code columns} in place of its own (everything else unchanged). */
  public TableMapping withColumns(List<ColumnMapping> columns) {
    return new TableMapping(
        source,
        target,
        filter,
        primaryKey,
        columns,
        uniqueKeys,
        foreignKeys,
        indexes,
        inheritanceParent);
  }

  /**
   * This table as the copy and the change stream write it: without the columns the target generates
   * itself ({@link ColumnMapping#isGenerated}), which validation still compares.
   */
  public TableMapping written() {
    if (columns.stream().noneMatch(ColumnMapping::isGenerated)) {
      return this;
    }
    return withColumns(columns.stream().filter(c -> !c.isGenerated()).toList());
  }

  /** This table marked as an inheritance parent or not (everything else unchanged). */
  public TableMapping withInheritanceParent(boolean parent) {
    return new TableMapping(
        source, target, filter, primaryKey, columns, uniqueKeys, foreignKeys, indexes, parent);
  }

  /** The columns that reach the target, in target order. */
  public List<ColumnMapping> copiedColumns() {
    return columns.stream().filter(ColumnMapping::isCopied).toList();
  }

  public Optional<ColumnMapping> bySource(String sourceColumn) {
    return columns.stream().filter(c -> sourceColumn.equals(c.source())).findFirst();
  }

  public Optional<ColumnMapping> byTarget(String targetColumn) {
    return columns.stream().filter(c -> targetColumn.equals(c.target())).findFirst();
  }
}
