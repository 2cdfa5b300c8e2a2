package io.migrationstudio.worker.assessment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MappingOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mapping activities end to end on a real PostgreSQL, with a real git artifact store on a
 * temporary directory: generate, review (PASS), an approver's edit narrowing a column, re-review at
 * that commit (FAIL).
 */
@ExtendWith(PostgresExtension.class)
class MappingActivitiesImplIT {

  @TempDir Path home;
  private GitArtifactStore store;

  @BeforeEach
  void openStore() {
    store = GitArtifactStore.open(home, null);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void generateReviewEditAndRecheck(TestDatabase source, TestDatabase target) {
    source.execute(
        "CREATE TABLE \"Customer\" (\"CustomerId\" integer PRIMARY KEY, \"FullName\" text NOT NULL,"
            + " \"Fax\" varchar(24))",
        "INSERT INTO \"Customer\" VALUES (1, 'Ann', NULL), (2, 'Bartholomew Longname', '+1 555'),"
            + " (3, 'Cy', NULL)");
    Inventory inventory =
        new Inventory(
            "postgresql",
            "17",
            source.name(),
            "public",
            List.of(
                new TableInfo(
                    "public",
                    "Customer",
                    List.of(
                        column("CustomerId", 1, "integer", CanonicalType.INTEGER, false, null),
                        column("FullName", 2, "text", CanonicalType.TEXT, false, null),
                        column("Fax", 3, "character varying(24)", CanonicalType.VARCHAR, true, 24)),
                    new KeyConstraint("Customer_pkey", List.of("CustomerId")),
                    null,
                    null,
                    null,
                    null,
                    3,
                    8192,
                    null,
                    List.of(),
                    null,
                    List.of(),
                    false,
                    null,
                    null)),
            null,
            null,
            List.of("Customer"),
            null);
    String branch = "migrations/t";
    String assessed =
        store
            .commit(
                branch,
                Stage.ASSESSMENT.producerRole(),
                "inventory",
                Map.of(
                    ArtifactPaths.INVENTORY_JSON,
                    Json.bytes(Json.write(inventory)),
                    // the target's version as the Assessment records it: the diff's DDL is for it
                    ArtifactPaths.THROUGHPUT_JSON,
                    Json.bytes(
                        Json.write(
                            new io.migrationstudio.core.assess.Throughput(
                                    0, 0, 0, 0, 0, 0, 0, List.of())
                                .withTargetServerVersion("16.4")))))
            .head();
    MigrationSpec spec =
        new MigrationSpec(
            "t",
            null,
            new ConnectionSpec(source.jdbcUrl(), source.user(), null, null),
            new ConnectionSpec(target.jdbcUrl(), target.user(), null, null),
            null,
            new MappingOptions("snake_case", null),
            null,
            null,
            null,
            null,
            null,
            null);
    MappingActivitiesImpl activities =
        new MappingActivitiesImpl(store, new SecretResolver(Map.of()));

    StageResult generated =
        activities.generateMapping(new StageRequest("t", spec, branch, assessed, 0));
    assertEquals(Stage.MAPPING, generated.stage());
    assertEquals("schema-mapper", generated.role());
    assertNull(generated.verdict());
    String yaml =
        new String(
            store.read(generated.commit(), ArtifactPaths.MAPPING_YAML).orElseThrow(),
            StandardCharsets.UTF_8);
    assertTrue(yaml.contains("target: customer\n"), yaml);
    assertEquals(
        "postgresql 16.4",
        Json.read(
                store.read(generated.commit(), ArtifactPaths.SCHEMA_DIFF_JSON).orElseThrow(),
                com.fasterxml.jackson.databind.JsonNode.class,
                "schema-diff.json")
            .path("target")
            .asText(),
        "the planned-target diff's DDL is written for the target's recorded version");
    assertTrue(yaml.contains("target: full_name\n"), yaml);
    // re-running produces the same bytes: no new commit
    assertEquals(
        generated.commit(),
        activities.generateMapping(new StageRequest("t", spec, branch, assessed, 0)).commit());

    StageResult reviewed =
        activities.reviewCompatibility(new StageRequest("t", spec, branch, generated.commit(), 0));
    assertEquals(Verdict.PASS, reviewed.verdict(), reviewed.summary());
    assertEquals("compatibility-reviewer", reviewed.role());
    assertEquals(
        List.of(
            ArtifactPaths.COMPATIBILITY_JSON,
            ArtifactPaths.COMPATIBILITY_MD,
            ArtifactPaths.DRY_RUN_MD),
        reviewed.artifacts().stream().map(a -> a.path()).toList());

    // the approver narrows full_name and forbids NULL fax, then asks for a re-check
    String edited =
        yaml.replace(
                "target: full_name\n        disposition: map\n        source_type: text\n        type: text",
                "target: full_name\n        disposition: cast\n        source_type: text\n"
                    + "        type: character varying(5)")
            .replace(
                "canonical: VARCHAR\n        nullable: true",
                "canonical: VARCHAR\n        nullable: false");
    assertEquals(
        3, countDiffLines(yaml, edited), "the edit applies to the generated YAML:\n" + yaml);
    String editCommit =
        store
            .commit(
                branch,
                "approver",
                "narrow",
                Map.of(ArtifactPaths.MAPPING_YAML, Json.bytes(edited)))
            .head();
    StageResult recheck =
        activities.reviewCompatibility(new StageRequest("t", spec, branch, editCommit, 0));
    assertEquals(Verdict.FAIL, recheck.verdict());
    String json =
        new String(
            store.read(recheck.commit(), ArtifactPaths.COMPATIBILITY_JSON).orElseThrow(),
            StandardCharsets.UTF_8);
    assertTrue(json.contains("\"check\" : \"max_length\""), json);
    assertTrue(json.contains("\"check\" : \"not_null\""), json);

    // an edit that breaks the contract is refused as an invalid artifact, not retried
    String broken = edited.replace("disposition: cast", "disposition: squash");
    String brokenCommit =
        store
            .commit(
                branch, "approver", "break", Map.of(ArtifactPaths.MAPPING_YAML, Json.bytes(broken)))
            .head();
    ApplicationFailure failure =
        assertThrows(
            ApplicationFailure.class,
            () ->
                activities.reviewCompatibility(
                    new StageRequest("t", spec, branch, brokenCommit, 0)));
    assertEquals(ErrorCode.INVALID_ARTIFACT.name(), failure.getType());
    assertTrue(failure.isNonRetryable());
  }

  private static long countDiffLines(String a, String b) {
    String[] x = a.split("\n");
    String[] y = b.split("\n");
    assertEquals(x.length, y.length);
    return java.util.stream.IntStream.range(0, x.length).filter(i -> !x[i].equals(y[i])).count();
  }

  private static Column column(
      String name,
      int pos,
      String type,
      CanonicalType canonical,
      boolean nullable,
      Integer length) {
    return Column.builder(name, type, canonical)
        .position(pos)
        .nullable(nullable)
        .length(length)
        .build();
  }
}
