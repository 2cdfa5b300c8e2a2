package io.migrationstudio.core.cutover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.spec.SpecException;
import io.migrationstudio.core.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which final check the cutover runs under the freeze: the changed rows since the Validation's
 * proof for an online migration with a passing, positioned proof of its own stream; the full check
 * otherwise, with the reason.
 */
class FinalCheckPlanTest {
  static final String CAPTURE = "studio_m";

  static MigrationSpec spec(String strategy, String finalCheck) {
    return SpecLoader.parse(
        "id: m\n"
            + "source: { url: \"jdbc:postgresql://localhost/s\" }\n"
            + "target: { url: \"jdbc:postgresql://localhost/t\" }\n"
            + "migrate: { strategy: "
            + strategy
            + " }\n"
            + (finalCheck == null ? "" : "cutover: { final_check: " + finalCheck + " }\n"));
  }

  static Optional<byte[]> report(String status, String capture, String target) {
    String position =
        capture == null
            ? ""
            : ", \"position\": {\"capture\": \""
                + capture
                + "\", \"source_position\": \"pg:0/200\""
                + (target == null ? "" : ", \"target_position\": \"" + target + "\"")
                + "}";
    return Optional.of(
        ("{\"migration\": \"m\", \"status\": \"" + status + "\"" + position + "}")
            .getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anOnlineCutoverWithAPassingProofOfItsStreamChecksTheChangedRows() {
    FinalCheck.Plan p =
        FinalCheck.plan(spec("online", null), true, CAPTURE, report("PASS", CAPTURE, "pg:0/1A0"));
    assertEquals(CutoverLog.CHECK_CHANGED, p.mode());
    assertEquals("pg:0/1A0", p.proof());
    assertEquals(
        CutoverLog.CHECK_CHANGED,
        FinalCheck.plan(
                spec("online", "changed"), true, CAPTURE, report("PASS", CAPTURE, "pg:0/1A0"))
            .mode());
  }

  @Test
  void everythingElseChecksEveryTableInFullAndSaysWhy() {
    Optional<byte[]> good = report("PASS", CAPTURE, "pg:0/1A0");
    assertFull(FinalCheck.plan(spec("bulk", null), false, CAPTURE, good), "bulk");
    assertFull(
        FinalCheck.plan(spec("online", "full"), true, CAPTURE, good), "cutover.final_check: full");
    assertFull(
        FinalCheck.plan(spec("online", null), true, CAPTURE, Optional.empty()), "no Validation");
    assertFull(
        FinalCheck.plan(spec("online", null), true, CAPTURE, report("FAIL", CAPTURE, "pg:0/1A0")),
        "did not pass");
    assertFull(
        FinalCheck.plan(spec("online", null), true, CAPTURE, report("PASS", null, null)),
        "no proof position");
    assertFull(
        FinalCheck.plan(spec("online", null), true, CAPTURE, report("PASS", "other", "pg:0/1")),
        "no proof position");
    assertFull(
        FinalCheck.plan(spec("online", null), true, CAPTURE, report("PASS", CAPTURE, null)),
        "no proof position");
    assertFull(
        FinalCheck.plan(spec("online", null), true, CAPTURE, report("PASS", CAPTURE, "nowhere")),
        "not a stream position");
    assertFull(
        FinalCheck.plan(
            spec("online", null),
            true,
            CAPTURE,
            Optional.of("not json".getBytes(StandardCharsets.UTF_8))),
        "cannot be read");
  }

  @Test
  void anUnknownFinalCheckIsASpecError() {
    SpecException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            SpecException.class, () -> spec("online", "sometimes"));
    assertTrue(e.getMessage().contains("cutover.final_check"), e.getMessage());
  }

  private static void assertFull(FinalCheck.Plan p, String why) {
    assertEquals(CutoverLog.CHECK_FULL, p.mode(), p.toString());
    assertNull(p.proof());
    assertTrue(p.reason().contains(why), p.reason() + " should say " + why);
  }
}
