package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.schema.TableInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The throughput probes read a table's own rows: an inheritance parent {@code ONLY}. */
class ThroughputProbeTest {

  private static TableInfo table(String name, List<String> children) {
    return new TableInfo(
        "public", name, List.of(), null, null, null, null, null, 10, 8192, null, null, null,
        children, false, null);
  }

  @Test
  void anInheritanceParentIsReadOnlyAndAnyOtherTableWhole() {
    var pg = Dialects.forName("postgresql");
    assertEquals(
        "SELECT * FROM ONLY \"public\".\"animals\" LIMIT 5",
        ThroughputProbe.sql(pg, "public", table("animals", List.of("dogs")), 5));
    assertEquals(
        "SELECT * FROM \"public\".\"dogs\" LIMIT 5",
        ThroughputProbe.sql(pg, "public", table("dogs", List.of()), 5));
    // engines without table inheritance name the table as is
    assertEquals(
        "SELECT * FROM \"main\".\"animals\" LIMIT 5",
        ThroughputProbe.sql(
            Dialects.forName("sqlite"), "main", table("animals", List.of("dogs")), 5));
  }
}
