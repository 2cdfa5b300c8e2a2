package io.migrationstudio.worker.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.FreshnessResult;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.ValidationActivities;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.QuerySpec;
import io.migrationstudio.contracts.spec.ValidationOptions;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(PostgresExtension.class)
class ValidationActivitiesIT {

  @TempDir Path home;
  private GitArtifactStore store;

  @BeforeEach
  void openStore() {
    store = GitArtifactStore.open(home, null);
  }

  private final TestActivityEnvironment env = TestActivityEnvironment.newInstance();

  @AfterEach
  void close() {
    env.close();
    store.close();
  }

  @Test
  void validatesWithoutALedgerAndReplaysQueries(TestDatabase source, TestDatabase target) {
    String ddl = "CREATE TABLE t (id bigint PRIMARY KEY, v numeric(8,2), s text)";
    String data =
        "INSERT INTO t SELECT g, g / 4.0, CASE WHEN g % 3 = 0 THEN NULL ELSE 'v' || g END"
            + " FROM generate_series(1, 700) g";
    source.execute(ddl, data);
    target.execute(ddl, data);
    MappingDocument mapping =
        new MappingDocument(
            1,
            "identity",
            "postgresql",
            "public",
            "public",
            List.of(
                new TableMapping(
                    "t",
                    "t",
                    null,
                    List.of("id"),
                    List.of(
                        ColumnMapping.mapped("id", "bigint", CanonicalType.BIGINT).build(),
                        ColumnMapping.mapped("v", "numeric(8,2)", CanonicalType.DECIMAL)
                            .nullable(true)
                            .build(),
                        ColumnMapping.mapped("s", "text", CanonicalType.TEXT)
                            .nullable(true)
                            .build()),
                    null,
                    null,
                    null)),
            null);
    String commit =
        store
            .commit(
                "migrations/v",
                Stage.MIGRATE.checkerRole(),
                "migrated",
                Map.of(ArtifactPaths.MAPPING_YAML, Json.bytes(Json.writeYaml(mapping))))
            .head();
    MigrationSpec spec =
        new MigrationSpec(
            "v",
            null,
            new ConnectionSpec(source.jdbcUrl(), source.user(), null, null),
            new ConnectionSpec(target.jdbcUrl(), target.user(), null, null),
            null,
            null,
            null,
            new ValidationOptions(
                50,
                List.of(new QuerySpec("sum", "select sum(v), count(s) from t", null, null)),
                50.0),
            null,
            null,
            null,
            null);
    env.registerActivitiesImplementations(
        new ValidationActivitiesImpl(store, new SecretResolver(Map.of())));
    ValidationActivities activities = env.newActivityStub(ValidationActivities.class);

    StageResult validated =
        activities.validate(new StageRequest("v", spec, "migrations/v", commit, 0L));
    assertEquals(Stage.VALIDATION.producerRole(), validated.role());
    assertNull(validated.verdict(), "a producer gives no verdict");
    String json = text(validated.commit(), ArtifactPaths.VALIDATION_JSON);
    assertTrue(json.contains("\"status\" : \"PASS\""), json);
    assertTrue(json.contains("\"chunk_source\" : \"planned\""), json);
    assertTrue(json.contains("\"sampled\" : 249"), "the 95 %/5 % sample of 700 rows: " + json);

    StageResult replay =
        activities.replayRegression(
            new StageRequest("v", spec, "migrations/v", validated.commit(), 0L));
    assertEquals(Verdict.PASS, replay.verdict(), replay.summary());
    assertEquals(Stage.VALIDATION.checkerRole(), replay.role());

    // freshness: the report records the workflow time passed in and the ledger state (none yet)
    assertTrue(json.contains("\"generated_at\" : \"1970-01-01T00:00:00Z\""), json);
    FreshnessResult fresh =
        activities.checkFreshness(new StageRequest("v", spec, "migrations/v", null, 5L));
    assertEquals(0L, fresh.generatedAtMillis());
    assertEquals(validated.commit(), fresh.reportCommit());
    assertTrue(fresh.ledgerMatches(), fresh.detail());

    // a chunk committed to the ledger after the report: the report no longer describes the target
    target.execute(
        new TargetSchema(Dialects.forUrl(target.jdbcUrl()), mapping)
            .ledgerStatements()
            .toArray(String[]::new));
    target.execute(
        "INSERT INTO studio.chunk_ledger (migration, table_name, chunk, \"rows\", target_hash,"
            + " attempt, status, finished_at) VALUES ('v', 't', 0, 700, 'abc', 1, 'committed',"
            + " now())");
    FreshnessResult changed =
        activities.checkFreshness(new StageRequest("v", spec, "migrations/v", null, 5L));
    assertFalse(changed.ledgerMatches(), changed.detail());
    assertEquals(validated.commit(), changed.reportCommit());

    // validated again (at a later workflow time): fresh against the ledger as it is now
    long later = 1_800_000_000_000L;
    StageResult again =
        activities.validate(new StageRequest("v", spec, "migrations/v", commit, later));
    assertTrue(
        text(again.commit(), ArtifactPaths.VALIDATION_MD).contains("against 1 chunks"),
        text(again.commit(), ArtifactPaths.VALIDATION_MD));
    FreshnessResult remade =
        activities.checkFreshness(new StageRequest("v", spec, "migrations/v", null, later));
    assertEquals(later, remade.generatedAtMillis());
    assertEquals(again.commit(), remade.reportCommit());
    assertTrue(remade.ledgerMatches(), remade.detail());

    // any change to a ledger row (a re-copied chunk: new attempt) is seen
    target.execute("UPDATE studio.chunk_ledger SET attempt = 2 WHERE migration = 'v'");
    assertFalse(
        activities
            .checkFreshness(new StageRequest("v", spec, "migrations/v", null, later))
            .ledgerMatches());
  }

  @Test
  void aFailingLedgerQueryIsClassifiedByItsSqlStateNotAsAClose(
      TestDatabase source, TestDatabase target) {
    // a ledger table the studio did not make: the freshness query fails with 42703 (no column)
    target.execute("CREATE SCHEMA studio", "CREATE TABLE studio.chunk_ledger (migration text)");
    store.commit(
        "migrations/f",
        Stage.VALIDATION.producerRole(),
        "validated",
        Map.of(
            ArtifactPaths.VALIDATION_JSON,
            "{\"generated_at\" : \"1970-01-01T00:00:00Z\"}".getBytes(StandardCharsets.UTF_8)));
    MigrationSpec spec =
        new MigrationSpec(
            "f",
            null,
            new ConnectionSpec(source.jdbcUrl(), source.user(), null, null),
            new ConnectionSpec(target.jdbcUrl(), target.user(), null, null),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    env.registerActivitiesImplementations(
        new ValidationActivitiesImpl(store, new SecretResolver(Map.of())));
    ValidationActivities activities = env.newActivityStub(ValidationActivities.class);

    ActivityFailure failure =
        assertThrows(
            ActivityFailure.class,
            () -> activities.checkFreshness(new StageRequest("f", spec, "migrations/f", null, 5L)));
    ApplicationFailure cause = (ApplicationFailure) failure.getCause();
    // before: TRANSIENT_SQL "closing a database connection failed", retried for nothing
    assertEquals(ErrorCode.MISSING_OBJECT.name(), cause.getType(), cause.getOriginalMessage());
    assertTrue(cause.isNonRetryable());
  }

  /**
   * Re-validation on demand of an online migration while its stream runs: each call of the activity
   * proves a new source position, and the second reuses the proofs of the last report on the branch
   * (found by its commit) for every chunk the stream did not touch: after one source row changed,
   * exactly its chunk is hashed again and the others name the first report's commit.
   */
  @Test
  void anOnlineReValidationReusesTheProofsOfTheLastReportOnTheBranch(
      TestDatabase source, TestDatabase target) throws Exception {
    source.execute(
        "CREATE TABLE item (id int PRIMARY KEY, v int NOT NULL)",
        "INSERT INTO item SELECT g, g FROM generate_series(0, 999) g");
    MigrationSpec spec =
        new MigrationSpec(
            "reval",
            null,
            new ConnectionSpec(source.jdbcUrl(), source.user(), null, "public"),
            new ConnectionSpec(target.jdbcUrl(), target.user(), null, "public"),
            null,
            new io.migrationstudio.contracts.spec.MappingOptions("identity", null),
            new io.migrationstudio.contracts.spec.MigrateOptions(
                "online", null, null, null, null, null, null, null, null, "PT5S", null),
            null,
            null,
            null,
            null,
            null);
    io.migrationstudio.core.dialect.postgres.PostgresDialect pg =
        new io.migrationstudio.core.dialect.postgres.PostgresDialect();
    MappingDocument mapping;
    try (java.sql.Connection src = source.connect();
        java.sql.Connection tgt = target.connect()) {
      mapping =
          new io.migrationstudio.core.mapping.MappingGenerator()
              .generate(
                  io.migrationstudio.core.assess.InventoryService.introspect(
                      src, pg, "public", t -> true),
                  spec,
                  null);
      var prepared =
          new io.migrationstudio.core.copy.TargetPreparer(pg, pg)
              .prepare(src, tgt, mapping, "reval", 100);
      var copier = new io.migrationstudio.core.copy.ChunkCopier(pg, pg);
      for (var plan : prepared.tables()) {
        for (var r : plan.chunks()) {
          copier.copy(
              src,
              tgt,
              mapping,
              mapping.bySource(plan.sourceTable()).orElseThrow(),
              r,
              "reval",
              io.migrationstudio.core.copy.ChunkProgress.NONE);
        }
      }
      new io.migrationstudio.core.copy.LoadFinisher(pg).finish(tgt, mapping, "reval", 0L);
    }
    var streams = new io.migrationstudio.core.cdc.apply.StreamService(new SecretResolver(Map.of()));
    var started = streams.prepare(spec, mapping, "reval");
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      java.util.concurrent.Future<?> stream =
          pool.submit(
              () -> {
                while (!stop.get()) {
                  streams.applySlice(
                      spec,
                      mapping,
                      "reval",
                      started.capture(),
                      started.position(),
                      java.time.Duration.ofSeconds(2),
                      p -> {});
                }
                return null;
              });
      String commit =
          store
              .commit(
                  "migrations/reval",
                  Stage.MIGRATE.checkerRole(),
                  "migrated",
                  Map.of(ArtifactPaths.MAPPING_YAML, Json.bytes(Json.writeYaml(mapping))))
              .head();
      env.registerActivitiesImplementations(
          new ValidationActivitiesImpl(store, new SecretResolver(Map.of())));
      ValidationActivities activities = env.newActivityStub(ValidationActivities.class);

      StageResult first =
          activities.validate(new StageRequest("reval", spec, "migrations/reval", commit, 0L));
      var v1 = report(first.commit());
      assertEquals("PASS", v1.get("status").asText(), v1.toString());
      assertEquals("full", v1.get("chunk_proofs").get("mode").asText());
      int chunks = v1.get("chunk_proofs").get("hashed").asInt();
      assertEquals(10, chunks, "item in chunks of 100 rows");

      source.execute("UPDATE item SET v = -v WHERE id = 555");
      StageResult second =
          activities.validate(
              new StageRequest("reval", spec, "migrations/reval", first.commit(), 0L));
      var v2 = report(second.commit());
      var proofs = v2.get("chunk_proofs");
      assertEquals("PASS", v2.get("status").asText(), v2.toString());
      assertEquals("incremental", proofs.get("mode").asText(), proofs.toString());
      assertEquals(1, proofs.get("hashed").asInt(), proofs.toString());
      assertEquals(chunks - 1, proofs.get("reused").asInt());
      for (var c : proofs.get("tables").get(0).get("chunks")) {
        boolean holds555 =
            (c.get("lo").isNull() || c.get("lo").asLong() <= 555)
                && (c.get("hi").isNull() || 555 < c.get("hi").asLong());
        assertEquals(holds555 ? "hashed" : "reused", c.get("check").asText(), c.toString());
        if (!holds555) {
          assertEquals(first.commit(), c.get("proved_in").asText(), c.toString());
        }
      }
      assertTrue(
          io.migrationstudio.core.cdc.StreamPosition.parse(
                      v2.get("position").get("source_position").asText())
                  .compareTo(
                      io.migrationstudio.core.cdc.StreamPosition.parse(
                          v1.get("position").get("source_position").asText()))
              > 0,
          "a new source position: " + v2.get("position"));
      stop.set(true);
      stream.get();
    } finally {
      stop.set(true);
      pool.shutdown();
      pool.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS);
      streams.drop(spec, started.capture());
    }
  }

  private com.fasterxml.jackson.databind.JsonNode report(String commit) {
    return Json.read(
        store.read(commit, ArtifactPaths.VALIDATION_JSON).orElseThrow(),
        com.fasterxml.jackson.databind.JsonNode.class,
        "validation.json");
  }

  private String text(String commit, String path) {
    return new String(store.read(commit, path).orElseThrow(), StandardCharsets.UTF_8);
  }
}
