package io.migrationstudio.core.cutover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.HypercareRequest;
import io.migrationstudio.contracts.activity.ResidualSession;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class HypercareTest {
  private static final long DAY = 86_400_000L;

  @Test
  void theStudiosOwnSessionsAreNotResidualAccess() {
    assertTrue(Hypercare.studio("migration-studio reverse applier"));
    assertTrue(Hypercare.studio("Migration-Studio"));
    assertFalse(Hypercare.studio("billing-api"));
    assertFalse(Hypercare.studio(null));
  }

  @Test
  void sessionsOfOneClientInSeveralStatesAreOneEntry() {
    List<ResidualSession> merged =
        Hypercare.merge(
            List.of(
                new ResidualSession("app", "billing", "10.0.0.7", 2, "idle"),
                new ResidualSession("app", "billing", "10.0.0.7", 1, "active"),
                new ResidualSession("report", null, null, 1, null)));
    assertEquals(
        List.of(
            new ResidualSession("app", "billing", "10.0.0.7", 3, "active,idle"),
            new ResidualSession("report", null, null, 1, null)),
        merged);
  }

  @Test
  void theNoteIsNamedByTheUtcDayAndRecordsTheHypercare() {
    long start = LocalDate.of(2026, 12, 6).toEpochDay() * DAY + 23 * 3_600_000L; // 23:00 UTC
    HypercareRequest r =
        new HypercareRequest(
            "shop",
            SpecLoader.parse(
                "id: shop\nsource: { url: \"jdbc:postgresql://a/b\" }\n"
                    + "target: { url: \"jdbc:postgresql://c/d\" }\n"),
            "migrations/shop",
            start,
            start + 7 * DAY,
            start + DAY,
            null);
    Hypercare.Sample sample =
        new Hypercare.Sample(
            List.of(new ResidualSession("app", "billing", "10.0.0.7", 2, "idle")),
            List.of("public.orders"),
            "jdbc:postgresql://a/b");
    StageOutput out = Hypercare.note(r, sample);
    String md =
        new String(out.files().get("06-hypercare/hypercare-2026-12-07.md"), StandardCharsets.UTF_8);
    assertTrue(md.contains("| app | billing | 10.0.0.7 | 2 | idle |"), md);
    assertTrue(md.contains("no reverse stream"), md);
    assertTrue(out.files().containsKey("06-hypercare/hypercare-2026-12-07.json"));
    assertEquals(start, Hypercare.startedAt(out.files().get(ArtifactPaths.HYPERCARE_JSON)));
    assertNull(Hypercare.startedAt("{}".getBytes(StandardCharsets.UTF_8)));
  }
}
