package io.migrationstudio.core.cutover;

import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.dialect.Dialect;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the steps of a drill or cutover one by one, timing each with the monotonic clock and
 * recording a failure as a failed step (with a redacted, classified message) instead of letting it
 * escape: the caller decides what a failure means (roll back, FAIL verdict). Bugs (other runtime
 * exceptions) still propagate, so the caller's {@code finally} cleans up.
 */
final class StepRecorder {
  /** A step's work; returns the detail recorded for a successful step. */
  @FunctionalInterface
  interface Action {
    String run() throws SQLException, IOException;
  }

  /** A go/no-go check that did not hold. */
  static final class CheckFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CheckFailed(String message) {
      super(message);
    }
  }

  private final Dialect dialect;
  private final List<CutoverStep> steps = new ArrayList<>();
  private final List<Long> nanos = new ArrayList<>();

  StepRecorder(Dialect dialect) {
    this.dialect = dialect;
  }

  /** Runs a step; true when it succeeded. */
  boolean run(String phase, String name, Action action) {
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
    } catch (IOException e) {
      status = CutoverStep.FAILED;
      detail = name + " failed: " + e;
    }
    record(phase, name, status, System.nanoTime() - start, detail);
    return status.equals(CutoverStep.OK);
  }

  void skip(String phase, String name, String reason) {
    record(phase, name, CutoverStep.SKIPPED, 0, reason);
  }

  /** Appends steps another service ran and timed (the rollback's), with their phase and time. */
  void adopt(List<CutoverStep> done) {
    for (CutoverStep st : done) {
      record(st.phase(), st.name(), st.status(), st.millis() * 1_000_000L, st.detail());
    }
  }

  boolean anyFailed() {
    return steps.stream().anyMatch(CutoverStep::failed);
  }

  /** Total measured time of the steps of one phase, in nanoseconds. */
  long phaseNanos(String phase) {
    long total = 0;
    for (int i = 0; i < steps.size(); i++) {
      if (phase.equals(steps.get(i).phase())) {
        total += nanos.get(i);
      }
    }
    return total;
  }

  List<CutoverStep> steps() {
    return List.copyOf(steps);
  }

  /** Milliseconds, rounded up so that a measured step never shows as free. */
  static long millis(long nanos) {
    return (nanos + 999_999) / 1_000_000;
  }

  private void record(String phase, String name, String status, long took, String detail) {
    steps.add(
        new CutoverStep(
            steps.size() + 1,
            phase,
            name,
            status,
            millis(took),
            MigrationException.redact(detail)));
    nanos.add(took);
  }
}
