package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.Approvers;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrateOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The change-capture prerequisites of a PostgreSQL source ({@code online-*} risk checks) on real
 * servers: the shared one runs with {@code wal_level=logical}; a second one, started here with
 * {@code wal_level=replica} and no slots or WAL senders, shows the settings to change.
 */
@ExtendWith(PostgresExtension.class)
class CaptureReadinessPostgresIT {
  private static final String PASSWORD = "cr-Pw-1";
  private final SecretResolver secrets = new SecretResolver(Map.of("CR_PW", PASSWORD));

  private static MigrationSpec spec(String url, String user, String password, String strategy) {
    return new MigrationSpec(
        "capture-readiness-postgres",
        null,
        new ConnectionSpec(url, user, password, null),
        new ConnectionSpec(url, user, password, null),
        null,
        null,
        MigrateOptions.defaults().withStrategy(strategy),
        null,
        null,
        null,
        new Approvers(Map.of("default", List.of("alice"))),
        null);
  }

  private record Assessed(RiskReport risks, Verdict verdict) {
    List<Risk> online(String key) {
      return risks.risks().stream().filter(r -> r.key().equals(key)).toList();
    }

    List<String> onlineKeys() {
      return risks.risks().stream()
          .map(Risk::key)
          .filter(k -> k.startsWith("online-"))
          .distinct()
          .sorted()
          .toList();
    }
  }

  private Assessed assess(MigrationSpec spec) {
    StageOutput inventory = new InventoryService(secrets).run(spec, Optional.empty());
    StageOutput risks =
        new RiskAnalyzer(secrets)
            .analyzeInventoryJson(
                inventory.files().get(ArtifactPaths.INVENTORY_JSON),
                "inventory.json",
                spec,
                Set.of(),
                Set.of());
    return new Assessed(
        Json.read(risks.files().get(ArtifactPaths.RISKS_JSON), RiskReport.class, "risks.json"),
        risks.verdict());
  }

  @Test
  void tablesThatCannotIdentifyTheirRowsFailAndUnboundedWalRetentionIsAWarning(TestDatabase src) {
    src.execute(
        "CREATE TABLE keyed (id int PRIMARY KEY, v text)",
        "CREATE TABLE by_index (code text NOT NULL, v text)",
        "CREATE UNIQUE INDEX by_index_code ON by_index (code)",
        "ALTER TABLE by_index REPLICA IDENTITY USING INDEX by_index_code",
        "CREATE TABLE full_row (a int)",
        "ALTER TABLE full_row REPLICA IDENTITY FULL",
        "CREATE TABLE no_pk (a int)",
        "CREATE TABLE nothing (id int PRIMARY KEY)",
        "ALTER TABLE nothing REPLICA IDENTITY NOTHING");
    Assessed a = assess(spec(src.jdbcUrl(), src.user(), null, "online"));
    assertEquals(
        List.of("online-log-retention", "online-replica-identity"),
        a.onlineKeys(),
        a.risks().risks().toString());
    List<Risk> identity = a.online("online-replica-identity");
    assertEquals(
        List.of("no_pk", "nothing"), identity.stream().map(r -> r.objects().get(0)).toList());
    identity.forEach(r -> assertEquals(Risk.Severity.CRITICAL, r.severity()));
    assertTrue(
        identity.get(1).detail().contains("REPLICA IDENTITY is NOTHING"), identity.get(1).detail());
    assertTrue(
        identity.get(0).detail().contains("refuses UPDATE and DELETE"), identity.get(0).detail());
    Risk retention = a.online("online-log-retention").get(0);
    assertEquals(Risk.Severity.HIGH, retention.severity());
    assertEquals(List.of("max_slot_wal_keep_size"), retention.objects());
    assertTrue(retention.detail().contains("fills the source's disk"), retention.detail());
    assertEquals(Verdict.FAIL, a.verdict());

    // bulk: the prerequisites are not evaluated, and risks.json says why
    Assessed bulk = assess(spec(src.jdbcUrl(), src.user(), null, "bulk"));
    assertEquals(List.of(), bulk.onlineKeys());
    for (CheckRun run : bulk.risks().checks()) {
      if (run.key().startsWith("online-")) {
        assertEquals(CheckRun.Status.SKIPPED, run.status(), run.toString());
        assertTrue(run.reason().startsWith("only for migrate.strategy online"), run.reason());
      }
    }
  }

  @Test
  void aRoleWithoutReplicationCreateOrOwnershipIsToldWhatToGrant(TestDatabase src) {
    String user = src.name() + "_ro";
    src.execute(
        "CREATE TABLE owned_by_postgres (id int PRIMARY KEY)",
        "CREATE ROLE " + user + " LOGIN PASSWORD '" + PASSWORD + "'",
        "GRANT SELECT ON owned_by_postgres TO " + user);
    Assessed a = assess(spec(src.jdbcUrl(), user, "${env:CR_PW}", "online"));
    List<Risk> privileges = a.online("online-replication-privileges");
    assertEquals(2, privileges.size(), privileges.toString());
    privileges.forEach(r -> assertEquals(Risk.Severity.CRITICAL, r.severity()));
    assertTrue(
        privileges.stream()
            .anyMatch(r -> r.mitigation().contains("ALTER ROLE \"" + user + "\" WITH REPLICATION")),
        privileges.toString());
    assertTrue(
        privileges.stream()
            .anyMatch(
                r ->
                    r.detail().contains("owned_by_postgres")
                        && r.objects().equals(List.of(src.name()))
                        && r.mitigation().contains("GRANT CREATE ON DATABASE \"" + src.name())),
        privileges.toString());
    assertEquals(Verdict.FAIL, a.verdict());
  }

  @Test
  void walLevelReplicaWithoutSlotsOrSendersNamesTheSettingsToChange() throws Exception {
    try (EmbeddedPostgres replica =
        EmbeddedPostgres.builder()
            .setServerConfig("wal_level", "replica")
            .setServerConfig("max_replication_slots", "0")
            .setServerConfig("max_wal_senders", "0")
            .setServerConfig("max_slot_wal_keep_size", "1GB")
            .start()) {
      String url = "jdbc:postgresql://localhost:" + replica.getPort() + "/postgres";
      try (Connection c = DriverManager.getConnection(url, "postgres", "");
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE keyed (id int PRIMARY KEY)");
      }
      Assessed a = assess(spec(url, "postgres", null, "online"));
      assertEquals(
          List.of("online-log-settings", "online-replication-capacity"),
          a.onlineKeys(),
          a.risks().risks().toString());
      Risk wal = a.online("online-log-settings").get(0);
      assertEquals(Risk.Severity.CRITICAL, wal.severity());
      assertEquals(List.of("wal_level"), wal.objects());
      assertTrue(
          wal.mitigation().contains("ALTER SYSTEM SET wal_level = logical"), wal.mitigation());
      assertEquals(
          List.of("max_replication_slots", "max_wal_senders"),
          a.online("online-replication-capacity").stream()
              .map(r -> r.objects().get(0))
              .sorted()
              .toList());
      assertEquals(Verdict.FAIL, a.verdict());
    }
  }
}
