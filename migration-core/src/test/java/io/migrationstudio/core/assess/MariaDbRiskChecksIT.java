package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.Approvers;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The data checks through RiskAnalyzer with a MariaDB source (its data probe) and a PostgreSQL
 * target.
 */
@ExtendWith({MariaDbExtension.class, PostgresExtension.class})
class MariaDbRiskChecksIT {
  private final SecretResolver secrets = new SecretResolver(Map.of());

  private static MigrationSpec spec(TestMariaDb source, TestDatabase target) {
    return new MigrationSpec(
        "mariadb-risk-checks-it",
        null,
        new ConnectionSpec(source.jdbcUrl(), source.user(), null, null),
        new ConnectionSpec(target.jdbcUrl(), target.user(), null, null),
        null,
        null,
        null,
        null,
        null,
        null,
        new Approvers(Map.of("default", List.of("alice"), "cutover", List.of("carol"))),
        null);
  }

  private StageOutput assess(MigrationSpec spec) {
    StageOutput inventory = new InventoryService(secrets).run(spec, Optional.empty());
    return new RiskAnalyzer(secrets)
        .analyzeInventoryJson(
            inventory.files().get(ArtifactPaths.INVENTORY_JSON),
            "inventory.json",
            spec,
            Set.of(),
            Set.of());
  }

  private static Risk risk(RiskReport r, String key) {
    List<Risk> found = r.risks().stream().filter(x -> x.key().equals(key)).toList();
    assertEquals(1, found.size(), key + " in " + r.risks().stream().map(Risk::id).toList());
    return found.get(0);
  }

  private static CheckRun run(RiskReport r, String key) {
    return r.checks().get(RiskCatalog.keys().indexOf(key));
  }

  @Test
  void zeroDatesAndNulBytesOfAMariaDbSourceAreReportedWithCountsAndKeys(
      TestMariaDb src, TestDatabase dst) {
    src.execute(
        "SET SESSION sql_mode = ''",
        "CREATE TABLE `Event Log` (id int PRIMARY KEY, happened date NULL, note varchar(40))",
        "INSERT INTO `Event Log` VALUES (1, '2024-01-31', 'fine'), (2, '0000-00-00', 'ok'),"
            + " (3, '2024-02-29', CONCAT('a', CHAR(0), 'b')), (4, '2024-00-10', 'ok'),"
            + " (5, NULL, NULL)");
    MigrationSpec spec = spec(src, dst);

    StageOutput first = assess(spec);
    RiskReport r =
        Json.read(first.files().get(ArtifactPaths.RISKS_JSON), RiskReport.class, "risks.json");

    Risk zero = risk(r, "mysql-zero-dates");
    assertEquals(List.of("Event Log.happened"), zero.objects());
    assertTrue(zero.detail().startsWith("2 rows of Event Log.happened"), zero.detail());
    // example keys are source values: masked by default
    assertTrue(zero.detail().endsWith(": [#, #]"), zero.detail());

    Risk nul = risk(r, "text-with-nul-bytes");
    assertEquals(List.of("Event Log.note"), nul.objects());
    assertTrue(nul.detail().startsWith("1 rows of Event Log.note"), nul.detail());
    // the example key is a source value: masked by default
    assertTrue(nul.detail().endsWith(": [#]"), nul.detail());

    for (String key :
        List.of(
            "mysql-zero-dates",
            "text-with-nul-bytes",
            "case-insensitive-unique-collision",
            "target-not-empty")) {
      assertEquals(CheckRun.Status.RAN, run(r, key).status(), key + ": " + run(r, key).reason());
    }
    String json = new String(first.files().get(ArtifactPaths.RISKS_JSON), StandardCharsets.UTF_8);
    assertFalse(json.contains("no data probe exists for mariadb"), json);

    StageOutput again = assess(spec);
    for (String path : first.files().keySet()) {
      assertArrayEquals(first.files().get(path), again.files().get(path), path);
    }
  }
}
