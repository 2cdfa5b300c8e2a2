package io.migrationstudio.core.cutover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.cdc.apply.StreamService;
import io.migrationstudio.core.copy.Loads;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.mapping.MappingDocument;
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
 * The live cutover's gate on lag: a stream that needs longer than {@code cutover.max_lag} to reach
 * the source's end of log is refused before anything is frozen; within it, the catch-up applies
 * what was pending and the sequence step moves the target's identity past the keys the stream
 * brought.
 */
@ExtendWith(PostgresExtension.class)
class LiveCutoverIT {
  @Test
  void aStreamBehindMaxLagIsRefusedAndOneWithinItCatchesUp(TestDatabase source, TestDatabase target)
      throws Exception {
    source.execute(
        "CREATE TABLE t (id bigserial PRIMARY KEY, v text)",
        "INSERT INTO t (v) SELECT 'v' || g FROM generate_series(1, 20) g");
    SecretResolver secrets = new SecretResolver(Map.of());
    StreamService stream = new StreamService(secrets);
    MigrationSpec strict = spec(source, target, "PT0.001S");
    MappingDocument mapping;
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      mapping = TestMappings.identity(src, "public", "public");
      String start = stream.prepare(strict, mapping, "m").position();
      Loads.migrate(src, tgt, mapping, "m", 10);
      source.execute("INSERT INTO t (v) VALUES ('streamed')");
      stream.applySlice(
          strict,
          mapping,
          "m",
          StreamService.captureName("m"),
          start,
          Duration.ofSeconds(2),
          p -> {});
    }
    try {
      source.execute("INSERT INTO t (v) SELECT 'later' FROM generate_series(1, 5)");
      StepRecorder.CheckFailed refused =
          assertThrows(
              StepRecorder.CheckFailed.class,
              () -> new LiveCutover(strict, mapping, "m", secrets).catchUp());
      assertTrue(refused.getMessage().contains("cutover.max_lag PT0.001S"), refused.getMessage());
      assertTrue(refused.getMessage().contains("nothing was frozen"), refused.getMessage());

      LiveCutover live = new LiveCutover(spec(source, target, "PT1M"), mapping, "m", secrets);
      String caughtUp = live.catchUp();
      assertTrue(caughtUp.contains("within cutover.max_lag PT1M"), caughtUp);
      assertEquals(26, target.queryLong("SELECT count(*) FROM t"));
      live.sequences();
      target.execute("INSERT INTO t (v) VALUES ('on the target')");
      assertEquals(27, target.queryLong("SELECT max(id) FROM t"));
      assertTrue(live.live(null).lagMillis() <= 60_000, String.valueOf(live.live(null)));
    } finally {
      stream.drop(strict, StreamService.captureName("m"));
    }
  }

  private static MigrationSpec spec(TestDatabase source, TestDatabase target, String maxLag) {
    return SpecLoader.parse(
        "id: live\n"
            + "source: { url: \""
            + source.jdbcUrl()
            + "\", user: postgres }\n"
            + "target: { url: \""
            + target.jdbcUrl()
            + "\", user: postgres }\n"
            + "migrate: { strategy: online }\n"
            + "cutover: { max_lag: "
            + maxLag
            + " }\n");
  }
}
