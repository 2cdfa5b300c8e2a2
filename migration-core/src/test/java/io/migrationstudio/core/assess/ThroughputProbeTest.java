package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.schema.TableInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The throughput probes read a table's own rows: an inheritance parent {@code ONLY}. */
class ThroughputProbeTest {

  private static TableInfo table(String name, List<String> children) {
    return sized(name, children, 8192);
  }

  private static TableInfo sized(String name, List<String> children, long bytes) {
    return new TableInfo(
        "public", name, List.of(), null, null, null, null, null, 10, bytes, null, null, null,
        children, false, null, null);
  }

  private static final long MIB = 1024 * 1024;

  @Test
  void theBinaryReadSampleIsAnEighthOfTheTablesBetween16And64MiB() {
    // 1M pgbench rows (128 MiB of pgbench_accounts): 16 MiB, not half the database
    assertEquals(
        16 * MIB, ThroughputProbe.sampleBytes(List.of(sized("accounts", List.of(), 128 * MIB))));
    // between the bounds: an eighth of all the tables together
    assertEquals(
        40 * MIB,
        ThroughputProbe.sampleBytes(
            List.of(sized("a", List.of(), 200 * MIB), sized("b", List.of(), 120 * MIB))));
    // 10M rows: the 64 MiB it always read
    assertEquals(64 * MIB, ThroughputProbe.sampleBytes(List.of(sized("a", List.of(), 1280 * MIB))));
    // small databases: the floor, which reads all of them
    assertEquals(16 * MIB, ThroughputProbe.sampleBytes(List.of(table("a", List.of()))));
    assertEquals(16 * MIB, ThroughputProbe.sampleBytes(List.of()));
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
