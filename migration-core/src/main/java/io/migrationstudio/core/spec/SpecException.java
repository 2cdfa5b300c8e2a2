package io.migrationstudio.core.spec;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import java.util.List;
import java.util.stream.Collectors;

/** A spec refused before anything starts, with every problem found (code INVALID_SPEC). */
public final class SpecException extends MigrationException {
  private static final long serialVersionUID = 1L;

  private final transient List<SpecProblem> problems;

  public SpecException(List<SpecProblem> problems) {
    super(ErrorCode.INVALID_SPEC, message(problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a SpecException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  public List<SpecProblem> problems() {
    return problems;
  }

  private static String message(List<SpecProblem> problems) {
    return "the migration spec has "
        + problems.size()
        + (problems.size() == 1 ? " problem" : " problems")
        + "; fix them and start again:\n"
        + problems.stream().map(p -> "  - " + p).collect(Collectors.joining("\n"));
  }
}
