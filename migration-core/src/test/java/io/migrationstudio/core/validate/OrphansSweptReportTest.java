package io.migrationstudio.core.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.cdc.apply.CascadeOrphans;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrphansSweptReportTest {
  @Test
  void theRowsTheSweepRemovedAreListedAfterTheHeadingAndCountedInTheSummary() {
    StageOutput out =
        new StageOutput(
            Map.of(
                ArtifactPaths.VALIDATION_MD, Json.bytes("# Validation: m\n\nOverall: **PASS**.\n")),
            Verdict.PASS,
            "PASS: 3 tables");
    StageOutput swept =
        ValidationService.orphansSwept(
            out,
            List.of(
                new CascadeOrphans.Removed("grand", "fk_grand", 2, 0, 0),
                new CascadeOrphans.Removed("note", "fk_note", 0, 1, 1)));
    String md = new String(swept.files().get(ArtifactPaths.VALIDATION_MD), StandardCharsets.UTF_8);
    assertTrue(md.startsWith("# Validation: m\n\nRows the source's foreign-key actions"), md);
    assertTrue(md.contains("\n- grand (fk_grand): 2 row(s) deleted"), md);
    assertTrue(md.contains("\n- note (fk_note): 0 row(s) deleted, 1 reference(s)"), md);
    assertTrue(md.contains("1 orphan(s) the source has too kept"), md);
    assertTrue(md.endsWith("Overall: **PASS**.\n"), md);
    assertEquals(Verdict.PASS, swept.verdict());
    assertEquals(
        "PASS: 3 tables; 3 cascade orphan row(s) removed or nulled on the target", swept.summary());
  }
}
