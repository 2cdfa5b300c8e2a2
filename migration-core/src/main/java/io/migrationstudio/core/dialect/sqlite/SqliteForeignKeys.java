package io.migrationstudio.core.dialect.sqlite;

import java.util.List;

/** What SQLite's foreign key pragma does not show, read from the table's CREATE TABLE text. */
public final class SqliteForeignKeys {

  private SqliteForeignKeys() {}

  /**
   * The child columns of each foreign key {@code createTable} declares {@code DEFERRABLE INITIALLY
   * DEFERRED}; empty for none or a null text.
   */
  public static List<List<String>> deferred(String createTable) {
    return createTable == null ? List.of() : SqliteSql.deferredForeignKeys(createTable);
  }
}
