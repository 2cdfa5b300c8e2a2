package io.migrationstudio.core.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class SampleDatabasesIT {
  @Test
  void chinookLoadsWithAllRows(TestDatabase chinook) throws Exception {
    try (Connection c = chinook.connect()) {
      SampleDatabases.loadChinookPostgres(c);
    }
    assertEquals(3503, chinook.queryLong("select count(*) from track"));
    assertEquals(8715, chinook.queryLong("select count(*) from playlist_track"));
    assertEquals(2240, chinook.queryLong("select count(*) from invoice_line"));
  }
}
