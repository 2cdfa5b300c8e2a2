package io.migrationstudio.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

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
}
