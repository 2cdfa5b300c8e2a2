package io.migrationstudio.worker.cutover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(PostgresExtension.class)
class CutoverActivitiesImplIT {
  static final String BRANCH = "migrations/shop";

  @TempDir Path home;

  @Test
  void commitsEachOutputByItsRoleAndFailsACutoverThatRolledBack(
      TestDatabase source, TestDatabase target) {
    source.execute("CREATE TABLE t (id integer PRIMARY KEY)", "INSERT INTO t VALUES (1), (2)");
    target.execute("CREATE TABLE t (id integer PRIMARY KEY)", "INSERT INTO t VALUES (1)");
    MigrationSpec spec =
        SpecLoader.parse(
            "id: shop\nsource: { url: \""
                + source.jdbcUrl()
                + "\", user: postgres }\ntarget: { url: \""
                + target.jdbcUrl()
                + "\", user: postgres }\n");
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
                    List.of(ColumnMapping.mapped("id", "integer", CanonicalType.INTEGER).build()),
                    null,
                    null,
                    null)),
            null);
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      store.openBranch(BRANCH);
      String commit =
          store
              .commit(
                  BRANCH,
                  "schema-mapper",
                  "mapping",
                  Map.of(ArtifactPaths.MAPPING_YAML, Json.bytes(Json.writeYaml(mapping))))
              .head();
      CutoverActivitiesImpl activities =
          new CutoverActivitiesImpl(store, new SecretResolver(Map.of()));
      StageRequest request = new StageRequest("shop", spec, BRANCH, commit, 0);

      StageResult plan = activities.planCutover(request);
      assertEquals(Stage.CUTOVER, plan.stage());
      assertNull(plan.verdict());
      assertEquals("cutover-coordinator", store.log(BRANCH).get(0).author());
      assertEquals(ArtifactPaths.RUNBOOK_MD, plan.artifacts().get(0).path());

      StageResult drill = activities.drillRollback(request);
      assertEquals(Verdict.PASS, drill.verdict(), drill.summary());
      assertEquals("rollback-engineer", store.log(BRANCH).get(0).author());

      ApplicationFailure failure =
          assertThrows(ApplicationFailure.class, () -> activities.executeCutover(request));
      assertEquals("CUTOVER_FAILED", failure.getType());
      assertTrue(failure.isNonRetryable());
      assertTrue(store.read(BRANCH, ArtifactPaths.CUTOVER_LOG_JSON).isPresent(), "log committed");
      source.execute("INSERT INTO t VALUES (3)");
    }
  }
}
