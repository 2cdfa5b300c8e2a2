package io.migrationstudio.core.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PositionedValidationTest {
  @Test
  void theReportRecordsThePositionItProved() {
    StageOutput out =
        new StageOutput(
            Map.of(
                ArtifactPaths.VALIDATION_JSON,
                Json.bytes("{\"migration\":\"m\",\"status\":\"PASS\"}"),
                ArtifactPaths.VALIDATION_MD,
                Json.bytes("# Validation: m\n\nOverall: **PASS**.\n")),
            null,
            "PASS");
    StageOutput stamped =
        PositionedValidation.stamp(
            out, new PositionedValidation.Proof("studio_m", "pg:0/1D40F60", "pg:0/1D40E10"));
    JsonNode json =
        Json.read(
            stamped.files().get(ArtifactPaths.VALIDATION_JSON), JsonNode.class, "validation.json");
    assertEquals("PASS", json.get("status").asText());
    assertEquals("studio_m", json.get("position").get("capture").asText());
    assertEquals("pg:0/1D40F60", json.get("position").get("source_position").asText());
    assertEquals("pg:0/1D40E10", json.get("position").get("target_position").asText());
    String md =
        new String(stamped.files().get(ArtifactPaths.VALIDATION_MD), StandardCharsets.UTF_8);
    assertTrue(md.startsWith("# Validation: m\n\nCompared at source position `pg:0/1D40F60`"), md);
    assertTrue(md.contains("Overall: **PASS**"), md);
  }
}
