package io.migrationstudio.core.evidence;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.ReviewPolicy;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.core.report.Json;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code state.json} at the root of a migration or validation branch: whether the run is still
 * under way ({@code RUNNING}, committed when the branch is opened) or how it ended (committed with
 * the last pull-request summary), and the gates it runs with (the spec's, with the stages an {@code
 * --auto-approve} made {@code auto}; the operator's {@code migration.yaml} keeps its own).
 *
 * <p>This is what a restarted server reads to tell unfinished work from finished work, and how it
 * re-creates a run with the same gates. The content of a running run holds no time or message, so
 * re-opening a branch or rewriting the summary of a running run adds no commit.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunState(String id, MigrationState state, ReviewPolicy gates, String message) {
  public static final String PATH = "state.json";

  public RunState {
    Objects.requireNonNull(id, "id is required");
    Objects.requireNonNull(state, "state is required");
    gates = gates == null ? ReviewPolicy.defaults() : gates;
  }

  /** A run under way with {@code spec}'s (effective) gates. */
  public static RunState running(MigrationSpec spec) {
    return new RunState(spec.id(), MigrationState.RUNNING, spec.reviews(), null);
  }

  /**
   * What {@code status} says of the run: under way while it runs or waits for a review; its end
   * state and message once it ended.
   */
  public static RunState of(MigrationSpec spec, MigrationStatus status) {
    MigrationState s = status == null ? MigrationState.RUNNING : status.state();
    if (s == null || !ended(s)) {
      return running(spec);
    }
    return new RunState(spec.id(), s, spec.reviews(), status.message());
  }

  /** Whether the run ended (it will not be re-created on restart). */
  public boolean ended() {
    return ended(state);
  }

  private static boolean ended(MigrationState s) {
    return s != MigrationState.RUNNING && s != MigrationState.AWAITING_REVIEW;
  }

  public byte[] render() {
    return Json.bytes(Json.write(this));
  }

  /** The state file at {@code commitOrBranch}; empty on a branch from before this file existed. */
  public static Optional<RunState> read(
      io.migrationstudio.core.git.ArtifactStore store, String commitOrBranch) {
    return store
        .read(commitOrBranch, PATH)
        .map(b -> Json.read(b, RunState.class, PATH + " at " + commitOrBranch));
  }
}
