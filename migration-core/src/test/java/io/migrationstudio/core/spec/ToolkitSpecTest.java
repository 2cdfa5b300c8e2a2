package io.migrationstudio.core.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.core.report.Json;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seed toolkit's migration spec translated for {@code studio plan}, untranslated named. */
class ToolkitSpecTest {
  private static final ConnectionSpec SRC =
      new ConnectionSpec("jdbc:postgresql://localhost:5432/src", "u", "${env:PGPASSWORD}", null);
  private static final ConnectionSpec TGT =
      new ConnectionSpec("jdbc:postgresql://localhost:5433/tgt", "u", "${env:PGPASSWORD}", null);

  static JsonNode sample(String name) throws Exception {
    try (InputStream in =
        ToolkitSpecTest.class
            .getClassLoader()
            .getResourceAsStream("testdata/migration-architect/sample_" + name + ".json")) {
      return Json.read(in.readAllBytes(), JsonNode.class, name);
    }
  }

  @Test
  void theToolkitsDatabaseSpecBecomesAStudioSpecWithEveryGapNamed() throws Exception {
    JsonNode root = sample("database_migration");
    assertTrue(ToolkitSpec.accepts(root));
    ToolkitSpec.Translation t = ToolkitSpec.translate(root, SRC, TGT);
    assertEquals(
        List.of("users", "user_profiles", "user_sessions", "audit_logs"),
        t.spec().scope().include());
    assertEquals("bulk", t.spec().migrate().strategy(), "30 minutes of downtime allowed");
    assertEquals(30L, t.maxDowntimeMinutes());
    assertEquals("plan-postgresql-13-production-database", t.spec().id());
    assertEquals(5, t.dependents().size());
    assertTrue(t.spec().cutover().window() != null, "the preferred window is the cutover window");
    String md = t.markdown();
    for (String field :
        List.of(
            "`pattern`",
            "`constraints.data_volume_gb`",
            "`constraints.compliance_requirements`",
            "`constraints.special_requirements`",
            "`schema_changes` (4 changes)",
            "`performance_requirements`",
            "`business_continuity.critical_business_hours`")) {
      assertTrue(md.contains(field), field + " named as not translated: " + md);
    }
    assertFalse(t.notTranslated().stream().anyMatch(s -> s.contains("unknown to")), md);
  }

  @Test
  void zeroDowntimeMeansOnlineAndAServiceMoveIsRefused() throws Exception {
    JsonNode root = sample("database_migration").deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) root.path("constraints"))
        .put("max_downtime_minutes", 0);
    ((com.fasterxml.jackson.databind.node.ObjectNode) root).put("extra", 1);
    ToolkitSpec.Translation t = ToolkitSpec.translate(root, SRC, TGT);
    assertEquals("online", t.spec().migrate().strategy());
    assertTrue(t.notTranslated().contains("`extra`: unknown to the translation"));
    JsonNode service = sample("service_migration");
    assertTrue(ToolkitSpec.accepts(service));
    SpecException e =
        assertThrows(SpecException.class, () -> ToolkitSpec.translate(service, SRC, TGT));
    assertEquals(ErrorCode.INVALID_SPEC, e.code());
  }
}
