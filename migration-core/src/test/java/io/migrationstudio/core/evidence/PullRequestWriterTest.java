package io.migrationstudio.core.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.spec.Approvers;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import io.migrationstudio.contracts.workflow.Decision;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.contracts.workflow.StageStatus;
import io.migrationstudio.contracts.workflow.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PullRequestWriterTest {
  static final String C1 = "1111111111111111111111111111111111111111";
  static final String C2 = "2222222222222222222222222222222222222222";

  final MigrationSpec spec =
      new MigrationSpec(
          "shop",
          "Shop | move",
          new ConnectionSpec("jdbc:postgresql://app:pw1@db1/shop", "app", "${env:X}", null),
          new ConnectionSpec("jdbc:postgresql://db2/shop?password=pw2", "app", null, null),
          null,
          null,
          null,
          null,
          null,
          null,
          new Approvers(Map.of("default", List.of("alice"), "mapping", List.of("bob"))),
          null);

  @Test
  void rendersStagesArtifactsReviewsAndHowToApprove() {
    MigrationStatus status =
        new MigrationStatus(
            "shop",
            "migrations/shop",
            Stage.MAPPING,
            MigrationState.AWAITING_REVIEW,
            C2,
            List.of(
                new StageStatus(
                    Stage.ASSESSMENT, "approved", GateMode.AUTO, Verdict.PASS, C1, "ok"),
                new StageStatus(
                    Stage.MAPPING, "awaiting-review", GateMode.ASK, Verdict.PASS, C2, "3 | casts")),
            List.of(
                new ArtifactRef("02-mapping/mapping.yaml", C2),
                new ArtifactRef("01-assessment/inventory.md", C1)),
            List.of(
                new ReviewRecord(
                    1, Stage.ASSESSMENT, Decision.APPROVE, "auto", "", C1, 0L, true, null, null),
                new ReviewRecord(
                    2,
                    Stage.MAPPING,
                    Decision.APPROVE,
                    "eve",
                    "hi",
                    C2,
                    1000L,
                    false,
                    "not listed",
                    null)),
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    String md = PullRequestWriter.render(status, spec);
    assertEquals(md, PullRequestWriter.render(status, spec));
    assertFalse(md.contains("pw1") || md.contains("pw2"), md);
    assertTrue(md.startsWith("# Migration shop: Shop | move\n"), md);
    assertTrue(
        md.contains(
            "| 2 | mapping | ask | awaiting-review | PASS | `222222222222` | 3 \\| casts |"),
        md);
    assertTrue(md.contains("| 3 | migrate | ask | pending |  |  |  |"), md);
    assertTrue(
        md.indexOf("[01-assessment/inventory.md]") < md.indexOf("[02-mapping/mapping.yaml]"), md);
    assertTrue(
        md.contains(
            "| 2 | mapping | APPROVE | eve | `222222222222` | 1970-01-01T00:00:01Z | refused: not listed (hi) |"),
        md);
    assertTrue(md.contains("Reviewers: bob, alice."), md);
    assertTrue(md.contains("studio review shop --stage mapping --approve"), md);
    assertTrue(md.contains("\"commit\": \"" + C2 + "\""), md);
    assertTrue(md.endsWith("\n"));
  }

  @Test
  void saysWhenNoReviewIsPending() {
    MigrationStatus status =
        MigrationStatus.of("shop", "migrations/shop", null, MigrationState.COMPLETED, "done");
    String md = PullRequestWriter.render(status, spec);
    assertTrue(md.contains("No review is pending."), md);
    assertTrue(md.contains("| 5 | cutover | external | pending |"), md);
  }
}
