package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.assess.MigrationPlan;
import io.migrationstudio.core.assess.Throughput;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code studio plan}: the plan from measured rates of a real source and target, nothing migrated;
 * the seed toolkit's migration spec is accepted with its connections given on the command line.
 */
@ExtendWith(PostgresExtension.class)
class PlanCommandIT {

  @Test
  void aStudioSpecAndTheToolkitsSpecArePlannedWithoutMigrating(
      TestDatabase source, TestDatabase target, @TempDir Path dir) throws Exception {
    source.execute(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text UNIQUE, created_at timestamptz)",
        "INSERT INTO users SELECT g, 'u' || g || '@example.org', now() FROM generate_series(1,"
            + " 20000) g",
        "CREATE INDEX users_created ON users (created_at)",
        "CREATE TABLE user_profiles (id bigint PRIMARY KEY, user_id bigint REFERENCES users,"
            + " bio text)",
        "INSERT INTO user_profiles SELECT g, g, repeat('b', 100) FROM generate_series(1, 5000) g",
        "CREATE TABLE user_sessions (id bigint PRIMARY KEY)",
        "CREATE TABLE audit_logs (id bigint PRIMARY KEY)",
        "CREATE TABLE not_in_toolkit_scope (id int)",
        "ANALYZE");
    Path spec = dir.resolve("migration.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: plan-it",
            "source: { url: \"" + source.jdbcUrl() + "\", user: postgres }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "migrate: { parallelism: 2, strategy: online }",
            "approvers: { default: [alice], cutover: [ops-lead] }",
            "reviews: { identity: none }",
            ""));
    Path out = dir.resolve("out");
    assertEquals(0, StudioMain.execute("plan", spec.toString(), "--out", out.toString()));
    String md = Files.readString(out.resolve("plan.md"), StandardCharsets.UTF_8);
    assertTrue(md.contains("### 4. catch-up"), md);
    assertTrue(md.contains("`ops-lead`: approve the runbook (cutover gate)"), md);
    MigrationPlan plan =
        Json.read(Files.readAllBytes(out.resolve("plan.json")), MigrationPlan.class, "plan");
    assertEquals(
        List.of("assessment", "mapping", "migrate", "catch-up", "validation", "cutover"),
        plan.phases().stream().map(MigrationPlan.Phase::name).toList());
    assertTrue(plan.phases().get(2).durationSeconds() > 0, plan.phases().get(2).toString());
    Throughput tp =
        Json.read(Files.readAllBytes(out.resolve("throughput.json")), Throughput.class, "tp");
    assertTrue(tp.targetRelationBytesPerSecond() > 0, tp.toString());
    assertEquals(3, tp.indexSampledIndexes(), "users: primary key, unique email, created_at");
    assertEquals(
        0,
        target.queryLong("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
        "nothing was migrated");

    Path toolkit = dir.resolve("toolkit.json");
    try (InputStream in =
        PlanCommandIT.class
            .getClassLoader()
            .getResourceAsStream("testdata/migration-architect/sample_database_migration.json")) {
      Files.write(toolkit, in.readAllBytes());
    }
    assertEquals(
        2,
        StudioMain.execute("plan", toolkit.toString(), "--out", out.toString()),
        "a toolkit spec needs --source and --target");
    Path fromToolkit = dir.resolve("toolkit-out");
    assertEquals(
        0,
        StudioMain.execute(
            "plan",
            toolkit.toString(),
            "--source",
            source.jdbcUrl(),
            "--target",
            target.jdbcUrl(),
            "--user",
            "postgres",
            "--out",
            fromToolkit.toString()));
    String tmd = Files.readString(fromToolkit.resolve("plan.md"), StandardCharsets.UTF_8);
    assertTrue(tmd.contains("## Translated from the seed toolkit's spec"), tmd);
    assertTrue(tmd.contains("`schema_changes` (4 changes)"), tmd);
    assertTrue(tmd.contains("Downtime: the toolkit spec allows 30 min"), tmd);
    assertTrue(tmd.contains("user_service_api"), tmd);
    MigrationPlan tplan =
        Json.read(
            Files.readAllBytes(fromToolkit.resolve("plan.json")), MigrationPlan.class, "plan");
    assertEquals(
        List.of("users", "user_profiles", "audit_logs", "user_sessions").stream().sorted().toList(),
        tplan.tables().stream().map(MigrationPlan.TableRow::table).sorted().toList(),
        "the toolkit's tables_to_migrate is the scope");
  }
}
