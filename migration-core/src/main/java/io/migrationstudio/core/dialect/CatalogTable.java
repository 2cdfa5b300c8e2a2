package io.migrationstudio.core.dialect;

import io.migrationstudio.core.schema.CheckConstraint;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.TableInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Mutable accumulator of one table while an engine's catalog queries fill it; {@link #build()}
 * sorts what was gathered (columns by position, everything named by code point, so the result is
 * byte-stable whatever order the server returned) into a {@link TableInfo}. Shared by the catalogs;
 * an engine that needs more per table extends it.
 */
public class CatalogTable {
  private static final Comparator<String> BY_NAME = Comparator.naturalOrder();

  public final String schema;
  public final String name;
  public final long sizeBytes;
  public final String comment;
  public String partitionKey;
  public final List<String> partitions = new ArrayList<>();
  public final List<String> inheritanceChildren = new ArrayList<>();
  public final List<Column> columns = new ArrayList<>();
  public KeyConstraint primaryKey;
  public final List<KeyConstraint> uniqueKeys = new ArrayList<>();
  public final List<ForeignKey> foreignKeys = new ArrayList<>();
  public final List<CheckConstraint> checks = new ArrayList<>();
  public final List<IndexInfo> indexes = new ArrayList<>();
  public long rowCount;
  public boolean withoutRowid;
  public String definition;
  // the table's default collation (MariaDB/MySQL), null elsewhere
  public String collation;

  public CatalogTable(String schema, String name, long sizeBytes, String comment) {
    this.schema = schema;
    this.name = name;
    this.sizeBytes = sizeBytes;
    this.comment = comment;
  }

  public TableInfo build() {
    columns.sort(Comparator.comparingInt(Column::position));
    uniqueKeys.sort(Comparator.comparing(KeyConstraint::name, BY_NAME));
    foreignKeys.sort(Comparator.comparing(ForeignKey::name, BY_NAME));
    checks.sort(Comparator.comparing(CheckConstraint::name, BY_NAME));
    indexes.sort(Comparator.comparing(IndexInfo::name, BY_NAME));
    return new TableInfo(
        schema,
        name,
        columns,
        primaryKey,
        uniqueKeys,
        foreignKeys,
        checks,
        indexes,
        rowCount,
        sizeBytes,
        partitionKey,
        partitions.stream().sorted(BY_NAME).toList(),
        comment,
        inheritanceChildren.stream().sorted(BY_NAME).toList(),
        withoutRowid,
        definition,
        collation);
  }

  /** Every table built, sorted by name (code point). */
  public static List<TableInfo> buildAll(Collection<? extends CatalogTable> tables) {
    return tables.stream()
        .map(CatalogTable::build)
        .sorted(Comparator.comparing(TableInfo::name, BY_NAME))
        .toList();
  }
}
