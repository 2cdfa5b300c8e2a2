package io.migrationstudio.core.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code --auto-approve} never bypasses an external gate that names its approvers (DESIGN §2, "no
 * local bypass"); an external gate that names nobody may still be auto-approved.
 */
class AutoApprovalTest {
  static final String UNSIGNED =
      SpecLoaderTest.FULL.replace("cutover: external }", "cutover: external, identity: none }");

  /** The cutover gate external with carol and dave as its approvers. */
  static final MigrationSpec GUARDED =
      SpecLoader.parse(UNSIGNED.replace("cutover: [] }", "cutover: [carol, dave] }"));

  /** The cutover gate external with nobody listed (as the default gate). */
  static final MigrationSpec UNLISTED = SpecLoader.parse(UNSIGNED);

  @Test
  void namingAnExternalGateWithApproversIsRefusedSayingWhoDecidesAndWhatToDo() {
    AutoApproval cutover = AutoApproval.parse(List.of("mapping,cutover"));
    List<SpecProblem> problems = cutover.problems(GUARDED);
    assertEquals(1, problems.size(), problems.toString());
    SpecProblem p = problems.get(0);
    assertEquals("--auto-approve", p.key());
    assertEquals("cutover", p.value());
    assertTrue(p.rule().contains("approvers.cutover: carol, dave"), p.rule());
    assertTrue(p.rule().contains("signed review"), p.rule());
    assertTrue(p.rule().contains("change reviews.cutover or approvers.cutover"), p.rule());
    assertEquals(EnumSet.of(Stage.MAPPING), cutover.stages(GUARDED), "the gate stays external");
    assertEquals(Map.of(), cutover.keptExternal(GUARDED), "only all prints the kept line");
  }

  @Test
  void allApprovesEveryOtherStageAndLeavesTheGuardedGateExternal() {
    assertEquals(List.of(), AutoApproval.ALL.problems(GUARDED));
    assertEquals(EnumSet.complementOf(EnumSet.of(Stage.CUTOVER)), AutoApproval.ALL.stages(GUARDED));
    assertEquals(
        Map.of(Stage.CUTOVER, List.of("carol", "dave")), AutoApproval.ALL.keptExternal(GUARDED));
    MigrationSpec applied = AutoApproval.ALL.applyTo(GUARDED);
    assertEquals(GateMode.EXTERNAL, applied.reviews().gate(Stage.CUTOVER));
    assertEquals(GateMode.AUTO, applied.reviews().gate(Stage.MAPPING));
    assertEquals(GateMode.AUTO, applied.reviews().gate(Stage.DECOMMISSION));
    assertEquals(List.of(), SpecLoader.problemsForGates(applied, AutoApproval.ALL.stages(GUARDED)));
  }

  @Test
  void namingTheGuardedStageBesideAllIsRefused() {
    AutoApproval both = AutoApproval.parse(List.of("all", "cutover"));
    assertEquals(
        List.of("cutover"), both.problems(GUARDED).stream().map(SpecProblem::value).toList());
  }

  @Test
  void anExternalGateThatNamesNobodyMayStillBeAutoApproved() {
    for (AutoApproval a : List.of(AutoApproval.ALL, AutoApproval.of(Set.of(Stage.CUTOVER)))) {
      assertEquals(List.of(), a.problems(UNLISTED), a.toString());
      assertTrue(a.stages(UNLISTED).contains(Stage.CUTOVER), a.toString());
      assertEquals(Map.of(), a.keptExternal(UNLISTED), a.toString());
      assertEquals(GateMode.AUTO, a.applyTo(UNLISTED).reviews().gate(Stage.CUTOVER));
    }
    // without it that gate could never open: refused as before
    assertEquals(
        List.of("reviews.cutover"),
        SpecLoader.problemsForGates(UNLISTED, AutoApproval.NONE.stages(UNLISTED)).stream()
            .map(SpecProblem::key)
            .toList());
  }

  @Test
  void defaultApproversDoNotGuardAnExternalGate() {
    // external gates accept only the stage's own approvers: defaults bypass nobody
    MigrationSpec defaultsOnly =
        SpecLoader.parse(UNSIGNED.replace("default: []", "default: [alice]"));
    assertEquals(List.of(), AutoApproval.of(Set.of(Stage.CUTOVER)).problems(defaultsOnly));
  }

  @Test
  void aGuardedAskGateIsNotExternalAndMayBeAutoApproved() {
    MigrationSpec ask =
        SpecLoader.parse(
            UNSIGNED
                .replace("cutover: external,", "cutover: ask,")
                .replace("cutover: [] }", "cutover: [carol] }"));
    AutoApproval cutover = AutoApproval.of(Set.of(Stage.CUTOVER));
    assertEquals(List.of(), cutover.problems(ask));
    assertEquals(GateMode.AUTO, cutover.applyTo(ask).reviews().gate(Stage.CUTOVER));
  }

  @Test
  void anUnknownStageIsRefusedNamingTheOption() {
    SpecException e =
        assertThrows(SpecException.class, () -> AutoApproval.parse(List.of("mapping,cutovr")));
    assertEquals(ErrorCode.INVALID_SPEC, e.code());
    assertEquals("--auto-approve", e.problems().get(0).key());
    assertEquals("cutovr", e.problems().get(0).value());
  }

  @Test
  void parseKeepsAllApartFromTheStagesNamed() {
    assertEquals(new AutoApproval(true, Set.of()), AutoApproval.parse(List.of("ALL")));
    assertEquals(
        new AutoApproval(false, EnumSet.of(Stage.MAPPING, Stage.MIGRATE)),
        AutoApproval.parse(List.of("mapping, migrate", "")));
    assertEquals(AutoApproval.NONE, AutoApproval.parse(List.of()));
  }
}
