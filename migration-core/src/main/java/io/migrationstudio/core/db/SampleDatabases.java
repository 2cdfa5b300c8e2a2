package io.migrationstudio.core.db;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Sample databases shipped inside the product (for {@code studio demo} and tests): Chinook 1.4.5
 * for PostgreSQL, MIT licence (see {@code samples/CHINOOK-LICENSE.md}), loaded verbatim.
 */
public final class SampleDatabases {
  public static final String CHINOOK_POSTGRESQL =
      "/io/migrationstudio/core/samples/chinook-postgresql.sql";

  private SampleDatabases() {}

  /** Loads Chinook into the connection's current database (11 tables, 15 607 rows). */
  public static void loadChinookPostgres(Connection connection) throws SQLException {
    SqlScript.run(connection, SqlScript.resource(CHINOOK_POSTGRESQL));
  }
}
