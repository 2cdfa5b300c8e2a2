package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Index builds get 1 GB of sort memory for their transaction when the session has less (the server
 * default is 64 MB), keep a larger setting, and leave the session's own value unchanged.
 */
@ExtendWith(PostgresExtension.class)
class IndexBuildMemoryIT {
  @Test
  void indexBuildsRaiseSortMemoryForTheirTransactionOnly(TestDatabase db) throws Exception {
    LoadFinisher finisher = new LoadFinisher(new PostgresDialect());
    try (Connection c = db.connect()) {
      exec(c, "SET maintenance_work_mem = '64MB'");
      List<String> settings = finisher.indexBuildSettings(c);
      assertEquals(List.of("SET LOCAL maintenance_work_mem = '1GB'"), settings);

      TargetSchema.runInTransaction(
          c,
          List.of(
              settings.get(0),
              "CREATE TABLE seen AS SELECT current_setting('maintenance_work_mem') AS v"));
      assertEquals("1GB", value(c, "SELECT v FROM seen"), "inside the build's transaction");
      assertEquals(
          "64MB", value(c, "SELECT current_setting('maintenance_work_mem')"), "the session keeps");

      exec(c, "SET maintenance_work_mem = '2GB'");
      assertEquals(List.of(), finisher.indexBuildSettings(c), "a larger setting stays");
    }
  }

  private static void exec(Connection c, String sql) throws Exception {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static String value(Connection c, String sql) throws Exception {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
