package io.migrationstudio.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.spec.AutoApproval;
import io.migrationstudio.core.spec.SpecException;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class OperatorServiceTest {
  @Test
  void validationRunsAreListedByPairThenByRunNumber() {
    TreeSet<String> ids = new TreeSet<>(OperatorService::byRunNumber);
    ids.addAll(
        List.of(
            "validation-pair-10",
            "validation-pair-2",
            "validation-other-1",
            "validation-pair-1",
            "validation-pair-x-3"));
    assertEquals(
        List.of(
            "validation-other-1",
            "validation-pair-1",
            "validation-pair-2",
            "validation-pair-10",
            "validation-pair-x-3"),
        List.copyOf(ids));
  }

  /**
   * The operator API (rpc Start and Validate, and the CLI through it) refuses a literal password
   * before anything reaches Temporal: the client here is null, so a call that got that far would
   * fail with a NullPointerException instead. The password is not echoed.
   */
  @Test
  void aLiteralPasswordIsRefusedBeforeAnythingReachesTemporal() {
    String spec =
        String.join(
            "\n",
            "id: shop",
            "source: { url: \"jdbc:postgresql://db1/shop\", user: app, password: hunter2 }",
            "target: { url: \"jdbc:postgresql://db2/shop\", user: app }",
            "reviews: { identity: none }",
            "approvers: { default: [alice] }",
            "");
    OperatorService api = new OperatorService(null, null);
    List<Executable> calls =
        List.of(() -> api.start(spec, AutoApproval.NONE, "token"), () -> api.startValidation(spec));
    for (Executable call : calls) {
      SpecException e = assertThrows(SpecException.class, call);
      assertTrue(
          e.problems().stream().anyMatch(p -> p.key().equals("source.password")), e.getMessage());
      assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }
  }
}
