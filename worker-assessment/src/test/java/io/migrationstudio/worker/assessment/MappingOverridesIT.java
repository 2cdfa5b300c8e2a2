package io.migrationstudio.worker.assessment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mapping.overrides} given as an absolute path, or relative to the spec file, is read from
 * disk by the Mapping stage (an absolute path used to be taken for an artifact path and refused:
 * "... is not a valid artifact path"), and the file is committed next to the mapping.
 */
class MappingOverridesIT {
  @TempDir Path home;
  @TempDir Path work;
  private GitArtifactStore store;

  @BeforeEach
  void openStore() {
    store = GitArtifactStore.open(home, null);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  private String assessed(String branch) {
    Inventory inventory =
        new Inventory(
            "postgresql",
            "17",
            "db",
            "public",
            List.of(
                new TableInfo(
                    "public",
                    "Customer",
                    List.of(
                        Column.builder("CustomerId", "integer", CanonicalType.INTEGER)
                            .position(1)
                            .build()),
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
    return store
        .commit(
            branch,
            Stage.ASSESSMENT.producerRole(),
            "inventory",
            Map.of(ArtifactPaths.INVENTORY_JSON, Json.bytes(Json.write(inventory))))
        .head();
  }

  private MigrationSpec spec(String overrides) {
    return SpecLoader.parse(
        String.join(
            "\n",
            "id: t",
            "source: { url: \"jdbc:postgresql://127.0.0.1:1/a\" }",
            "target: { url: \"jdbc:postgresql://127.0.0.1:1/b\" }",
            "mapping: { naming: snake_case, overrides: " + overrides + " }",
            ""));
  }

  private void assertMergedAndCommitted(MigrationSpec spec, byte[] overrides, String branch) {
    MappingActivitiesImpl activities =
        new MappingActivitiesImpl(store, new SecretResolver(Map.of()));
    StageResult generated =
        activities.generateMapping(new StageRequest("t", spec, branch, assessed(branch), 0));
    String yaml =
        new String(
            store.read(generated.commit(), ArtifactPaths.MAPPING_YAML).orElseThrow(),
            StandardCharsets.UTF_8);
    assertTrue(yaml.contains("target: clients\n"), yaml);
    assertArrayEquals(
        overrides,
        store.read(generated.commit(), ArtifactPaths.MAPPING_OVERRIDES).orElseThrow(),
        "the overrides file is committed as read");
  }

  @Test
  void anAbsoluteOverridesPathIsReadFromDiskAndCommitted() throws Exception {
    Path file =
        Files.writeString(
            work.resolve("overrides.yaml"), "tables:\n  - source: Customer\n    target: clients\n");
    assertMergedAndCommitted(
        spec("\"" + file.toAbsolutePath() + "\""), Files.readAllBytes(file), "migrations/abs");
  }

  @Test
  void aPathRelativeToTheSpecFileWorksFromAnyWorkingDirectory() throws Exception {
    Path dir = Files.createDirectories(work.resolve("project"));
    Path file =
        Files.writeString(
            dir.resolve("my-overrides.yaml"),
            "tables:\n  - source: Customer\n    target: clients\n");
    Path specFile =
        Files.writeString(
            dir.resolve("migration.yaml"),
            String.join(
                "\n",
                "id: t",
                "source: { url: \"jdbc:postgresql://127.0.0.1:1/a\" }",
                "target: { url: \"jdbc:postgresql://127.0.0.1:1/b\" }",
                "mapping:",
                "  naming: snake_case",
                "  overrides: my-overrides.yaml   # next to this file",
                ""));
    MigrationSpec spec = SpecLoader.parse(SpecLoader.read(specFile));
    assertTrue(Path.of(spec.mapping().overrides()).isAbsolute(), spec.mapping().overrides());
    assertMergedAndCommitted(spec, Files.readAllBytes(file), "migrations/rel");
  }
}
