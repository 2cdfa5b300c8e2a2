package io.migrationstudio.core.cdc.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.dialect.mariadb.MariaDbDialect;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.schema.ForeignKey;
import java.util.List;
import org.junit.jupiter.api.Test;

class CascadeOrphansTest {
  @Test
  void onlyASourceWhoseLogLacksItsCascadesIsSwept() {
    assertTrue(CascadeOrphans.needed(new MariaDbDialect()));
    assertFalse(CascadeOrphans.needed(new PostgresDialect()), "pgoutput logs the cascaded rows");
  }

  @Test
  void aForeignKeyActsWhenEitherOfItsActionsChangesChildRows() {
    String[][] cases = {
      {"CASCADE", "RESTRICT", "true"},
      {"SET NULL", "NO ACTION", "true"},
      {"set_default", "NO ACTION", "true"},
      {"RESTRICT", "CASCADE", "true"},
      {"NO ACTION", "set null", "true"},
      {"RESTRICT", "NO ACTION", "false"},
      {null, null, "false"}
    };
    for (String[] c : cases) {
      ForeignKey fk = new ForeignKey("fk", List.of("pid"), "parent", List.of("id"), c[0], c[1]);
      assertEquals(Boolean.parseBoolean(c[2]), CascadeOrphans.acts(fk), String.join(" / ", c));
    }
  }

  @Test
  void aSweptKeyIsOneLineWithWhatWasKept() {
    assertEquals(
        "grand (fk_grand): 2 row(s) deleted, 1 reference(s) set to NULL as the source's cascade"
            + " did, 3 orphan(s) the source has too kept",
        new CascadeOrphans.Removed("grand", "fk_grand", 2, 1, 3).line());
    assertFalse(new CascadeOrphans.Removed("grand", "fk_grand", 2, 0, 0).line().contains("kept"));
  }
}
