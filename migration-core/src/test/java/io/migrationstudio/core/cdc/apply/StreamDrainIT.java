package io.migrationstudio.core.cdc.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.copy.IntegrationChecker;
import io.migrationstudio.core.copy.Loads;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cutover's drain ({@link StreamService#drain}) on a real PostgreSQL slot: it applies up to an
 * end marker written after the last write, and a write committed after the freeze point is reported
 * and not applied (the cutover refuses on it). Also: the integration check of an online load does
 * not hold the target's counts (which the stream changes) to the ledger's.
 */
@ExtendWith(PostgresExtension.class)
class StreamDrainIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @Test
  void drainsToTheMarkerAndReportsAWriteAfterTheFreezePoint(
      TestDatabase source, TestDatabase target) throws Exception {
    source.execute(
        "CREATE TABLE t (id int PRIMARY KEY, v text)",
        "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 20) g");
    MigrationSpec spec =
        SpecLoader.parse(
            "id: drain\n"
                + "source: { url: \""
                + source.jdbcUrl()
                + "\", user: postgres }\n"
                + "target: { url: \""
                + target.jdbcUrl()
                + "\", user: postgres }\n"
                + "migrate: { strategy: online }\n");
    StreamService stream = new StreamService(new SecretResolver(Map.of()));
    MappingDocument mapping;
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      mapping = TestMappings.identity(src, "public", "public");
      String start = stream.prepare(spec, mapping, "m").position();
      Loads.migrate(src, tgt, mapping, "m", 10);
      source.execute("INSERT INTO t VALUES (21, 'streamed')");
      // the stream workflow's slices: the target holds a position from here on
      stream.applySlice(
          spec,
          mapping,
          "m",
          StreamService.captureName("m"),
          start,
          Duration.ofSeconds(2),
          p -> {});
    }
    String capture = StreamService.captureName("m");
    try (Connection tgt = target.connect()) {
      // the stream applied a row the ledger did not copy: an online load's integration check
      // records the count and leaves the comparison to Validation; a bulk one refuses
      IntegrationChecker checker = new IntegrationChecker(Loads.PG);
      assertEquals(Verdict.FAIL, checker.check(tgt, mapping, "m", 0).verdict());
      StageOutput online = checker.check(tgt, mapping, "m", 0, true);
      assertEquals(Verdict.PASS, online.verdict(), online.summary());
    }
    try {
      source.execute(
          "UPDATE t SET v = 'before the freeze' WHERE id = 1", "DELETE FROM t WHERE id = 2");
      StreamPosition marker = stream.endMarker(spec, "end");
      StreamService.Drain drained =
          stream.drain(spec, mapping, "m", capture, marker, marker, TIMEOUT);
      assertEquals(
          source.queryLong("SELECT count(*) FROM t"),
          target.queryLong("SELECT count(*) FROM t"),
          "drained: " + drained);
      assertEquals(
          1, target.queryLong("SELECT count(*) FROM t WHERE id = 1 AND v = 'before the freeze'"));
      assertTrue(drained.afterFreeze().isEmpty(), drained.toString());
      assertTrue(drained.position().compareTo(marker) >= 0, drained.toString());

      // a write after the freeze point (a session past the guards): seen, reported, not applied
      source.execute("INSERT INTO t VALUES (1000, 'after the freeze')");
      StreamPosition second = stream.endMarker(spec, "proof");
      StreamService.Drain proof =
          stream.drain(spec, mapping, "m", capture, second, marker, TIMEOUT);
      assertEquals(1, proof.afterFreeze().size(), proof.toString());
      assertTrue(proof.afterFreeze().get(0).contains("INSERT"), proof.toString());
      assertEquals(0, proof.changes(), proof.toString());
      assertEquals(0, target.queryLong("SELECT count(*) FROM t WHERE id = 1000"));
    } finally {
      stream.drop(spec, capture);
    }
  }
}
