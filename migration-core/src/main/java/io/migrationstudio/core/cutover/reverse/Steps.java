package io.migrationstudio.core.cutover.reverse;

import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.cutover.CutoverStep;
import io.migrationstudio.core.dialect.Dialect;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the rollback's steps one by one, timing each with the monotonic clock and recording a
 * failure (a check that did not hold, a classified SQL error, a studio error) as a failed {@link
 * CutoverStep} instead of letting it escape; bugs still propagate. The cutover's own recorder
 * ({@code core.cutover.StepRecorder}) does the same for the cutover and is package-private there.
 */
final class Steps {
  /** A step's work; returns the detail recorded for a successful step. */
  @FunctionalInterface
  interface Action {
    String run() throws SQLException;
  }

  /** A check that did not hold. */
  static final class CheckFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CheckFailed(String message) {
      super(message);
    }
  }

  private final Dialect dialect;
  private final List<CutoverStep> steps = new ArrayList<>();

  Steps(Dialect dialect) {
    this.dialect = dialect;
  }

  boolean run(String name, Action action) {
    long start = System.nanoTime();
    String status = CutoverStep.OK;
    String detail;
    try {
      detail = action.run();
    } catch (CheckFailed e) {
      status = CutoverStep.FAILED;
      detail = e.getMessage();
    } catch (SQLException e) {
      status = CutoverStep.FAILED;
      detail = dialect.classify(e, name).getMessage();
    } catch (MigrationException e) {
      status = CutoverStep.FAILED;
      detail = e.code() + ": " + e.getMessage();
    }
    record(name, status, System.nanoTime() - start, detail);
    return status.equals(CutoverStep.OK);
  }

  void skip(String name, String reason) {
    record(name, CutoverStep.SKIPPED, 0, reason);
  }

  boolean anyFailed() {
    return steps.stream().anyMatch(CutoverStep::failed);
  }

  List<CutoverStep> steps() {
    return List.copyOf(steps);
  }

  /** Milliseconds, rounded up so that a measured step never shows as free. */
  static long millis(long nanos) {
    return (nanos + 999_999) / 1_000_000;
  }

  private void record(String name, String status, long took, String detail) {
    steps.add(
        new CutoverStep(
            steps.size() + 1,
            RollbackService.PHASE,
            name,
            status,
            millis(took),
            MigrationException.redact(detail)));
  }
}
