package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Optional;

/**
 * A table of the source with its keys, constraints, indexes, exact row count and size. A
 * partitioned table has its {@code partition_key} (PostgreSQL {@code pg_get_partkeydef}, e.g.
 * {@code RANGE (payment_date)}; MariaDB {@code RANGE (expr)}) and its {@code partitions} (child
 * names, sorted); a partition is never a table of its own in the inventory, its rows and size are
 * the parent's. {@code comment} is the table's comment, null when none. {@code
 * inheritance_children} names the tables that inherit from this one by {@code INHERITS} (PostgreSQL
 * table inheritance that is not partitioning, sorted): their rows are theirs, so every read of this
 * table is {@code FROM ONLY} and its {@code row_count} is its own rows. {@code without_rowid}:
 * SQLite's {@code WITHOUT ROWID} table (false, and absent from the JSON, elsewhere). {@code
 * definition}: the table's {@code CREATE TABLE} statement as the engine keeps it (SQLite's {@code
 * sqlite_schema.sql}: the 12-step rebuild of {@code studio diff} re-creates the table from it, with
 * everything it declares); null for the other engines. {@code collation}: the table's default
 * collation (MariaDB/MySQL {@code TABLE_COLLATION}, which names its character set too; a column
 * declares its own only when other); null for the other engines.
 */
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
    @JsonProperty("size_bytes") long sizeBytes,
    @JsonProperty("partition_key") String partitionKey,
    List<String> partitions,
    String comment,
    @JsonProperty("inheritance_children") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<String> inheritanceChildren,
    @JsonProperty("without_rowid") @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        boolean withoutRowid,
    String definition,
    String collation) {
  @JsonCreator
  public TableInfo {
    columns = List.copyOf(columns);
    uniqueKeys = uniqueKeys == null ? List.of() : List.copyOf(uniqueKeys);
    foreignKeys = foreignKeys == null ? List.of() : List.copyOf(foreignKeys);
    checks = checks == null ? List.of() : List.copyOf(checks);
    indexes = indexes == null ? List.of() : List.copyOf(indexes);
    partitions = partitions == null ? List.of() : List.copyOf(partitions);
    inheritanceChildren =
        inheritanceChildren == null ? List.of() : List.copyOf(inheritanceChildren);
  }

  public Optional<Column> column(String columnName) {
    return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
  }
}
