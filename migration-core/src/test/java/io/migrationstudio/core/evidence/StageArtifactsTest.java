package io.migrationstudio.core.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.report.ArtifactPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mappings read by commit id are read from git once; by branch, every time (the head moves). */
class StageArtifactsTest {
  private static final String BRANCH = "migrations/cache";

  @TempDir Path home;

  private static byte[] mapping(String target) {
    return ("""
        version: 1
        tables:
          - source: Artist
            target: %s
            primary_key: [artist_id]
            columns:
              - source: ArtistId
                target: artist_id
                disposition: map
                type: integer
        """)
        .formatted(target)
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aMappingIsReadOncePerCommitAndAlwaysAtTheBranchHead() {
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      store.openBranch(BRANCH);
      String first =
          store
              .commit(BRANCH, "mapper", "m1", Map.of(ArtifactPaths.MAPPING_YAML, mapping("artist")))
              .head();
      StageArtifacts artifacts = new StageArtifacts(store);
      MappingDocument a = artifacts.mapping(BRANCH, first);
      assertSame(a, artifacts.mapping(BRANCH, first), "a commit's mapping is kept");
      assertEquals("artist", a.tables().get(0).target());

      String second =
          store
              .commit(BRANCH, "mapper", "m2", Map.of(ArtifactPaths.MAPPING_YAML, mapping("singer")))
              .head();
      assertEquals("singer", artifacts.mapping(BRANCH, second).tables().get(0).target());
      assertEquals("artist", artifacts.mapping(BRANCH, first).tables().get(0).target());
      MappingDocument head = artifacts.mapping(BRANCH, null);
      assertEquals("singer", head.tables().get(0).target(), "blank commit: the branch head");
      assertNotSame(head, artifacts.mapping(BRANCH, null), "the head is read again every time");
    }
  }
}
