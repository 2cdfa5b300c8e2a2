package io.migrationstudio.workflow;

import io.grpc.StatusRuntimeException;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.evidence.RunState;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.spec.SpecLoader;
import io.temporal.client.WorkflowClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-creates, from the artifact repository, the workflows of every unfinished migration and
 * validation run that this Temporal does not know: what a server on the embedded (in-memory)
 * Temporal does when it starts, since a restart lost every workflow.
 *
 * <p>Unfinished means the branch's {@code state.json} says {@code RUNNING} (it is committed when a
 * run opens its branch and rewritten with the end state when the run ends). A migration is started
 * again with the operator's {@code migration.yaml} from its branch and the gates of {@code
 * state.json} (which keep an {@code --auto-approve}); the workflow then resumes from the evidence:
 * approved stages are skipped, a gate that was waiting waits again for the same commit (see {@code
 * gates/<stage>.json}), and Migrate redoes only the chunks its ledger does not show as committed. A
 * validation run is started again from its branch's spec (it has no gates and no ledger: it
 * validates again, as run number 1, 2, ... of this server).
 */
public final class Recovery {
  private static final Logger log = LoggerFactory.getLogger(Recovery.class);
  private static final String MIGRATIONS = "migrations/";
  private static final String VALIDATIONS = "validations/";

  /** One run re-created ({@code recovered}) or left alone, and why. */
  public record Outcome(String id, String branch, boolean recovered, String detail) {}

  private final WorkflowClient client;
  private final ArtifactStore store;
  private final OperatorService operator;

  public Recovery(WorkflowClient client, ArtifactStore store) {
    this(client, store, new OperatorService(client, store));
  }

  /**
   * Re-creates through {@code operator}, so that each re-created migration takes the {@link
   * DriveLocks lock} of the process that drives it (a migration another process drives is then
   * reported with that process's name, not started twice).
   */
  public Recovery(WorkflowClient client, ArtifactStore store, OperatorService operator) {
    this.client = client;
    this.store = store;
    this.operator = operator;
  }

  /**
   * Re-creates every unfinished run; a migration that another process drives is refused by the
   * operator's {@link DriveLocks} and reported with the reason.
   */
  public List<Outcome> recoverUnfinished() {
    return recoverUnfinished(id -> false);
  }

  /**
   * Re-creates every unfinished run except those {@code runElsewhere} names by migration id (a live
   * {@code studio run} of this home owns it). Never throws for one run: a run that cannot be
   * re-created is reported with the reason and the others go on.
   */
  public List<Outcome> recoverUnfinished(Predicate<String> runElsewhere) {
    List<Outcome> out = new ArrayList<>();
    for (String branch : store.branches(MIGRATIONS)) {
      out.add(recover(branch, branch.substring(MIGRATIONS.length()), false, runElsewhere));
    }
    for (String branch : store.branches(VALIDATIONS)) {
      out.add(recover(branch, branch.substring(VALIDATIONS.length()), true, runElsewhere));
    }
    return out;
  }

  private Outcome recover(
      String branch, String id, boolean validation, Predicate<String> runElsewhere) {
    try {
      Optional<RunState> state = RunState.read(store, branch);
      if (state.isEmpty()) {
        return new Outcome(
            id,
            branch,
            false,
            "no "
                + RunState.PATH
                + " (opened by an older studio): start it again with `studio start` to resume it"
                + " from the evidence");
      }
      if (state.get().ended()) {
        return new Outcome(id, branch, false, "ended " + state.get().state());
      }
      if (runElsewhere.test(id)) {
        return new Outcome(
            id,
            branch,
            false,
            "another live studio process of this home drives it (locks/" + id + ".lock)");
      }
      if (!validation && running(TaskQueues.workflowId(id))) {
        return new Outcome(id, branch, false, "its workflow is running");
      }
      String specText =
          new String(store.read(branch, ArtifactPaths.SPEC).orElseThrow(), StandardCharsets.UTF_8);
      MigrationSpec spec = SpecLoader.parse(specText).withReviews(state.get().gates());
      OperatorService.Started started =
          validation ? operator.startValidation(specText) : operator.start(spec, specText);
      log.info("re-created {} from {} as workflow {}", id, branch, started.workflowId());
      return new Outcome(id, branch, true, "workflow " + started.workflowId());
    } catch (MigrationException | StatusRuntimeException | java.util.NoSuchElementException e) {
      log.warn("cannot re-create {} from {}: {}", id, branch, e.getMessage());
      return new Outcome(id, branch, false, "cannot re-create it: " + e.getMessage());
    }
  }

  /**
   * On a persistent Temporal (nothing to re-create): takes {@code locks} for every unfinished
   * migration of the store whose workflow Temporal runs, so that the process that drives it again
   * after a restart holds its lock as the one that started it did. Never throws for one migration:
   * one that another process holds is reported with the refusal.
   */
  public List<Outcome> lockRunning(DriveLocks locks) {
    List<Outcome> out = new ArrayList<>();
    for (String branch : store.branches(MIGRATIONS)) {
      String id = branch.substring(MIGRATIONS.length());
      try {
        Optional<RunState> state = RunState.read(store, branch);
        if (state.isEmpty() || state.get().ended() || !running(TaskQueues.workflowId(id))) {
          continue;
        }
        String specText =
            new String(
                store.read(branch, ArtifactPaths.SPEC).orElseThrow(), StandardCharsets.UTF_8);
        locks.acquire(SpecLoader.parse(specText));
        locks.started(id);
        out.add(new Outcome(id, branch, true, "its workflow runs in Temporal"));
      } catch (MigrationException | StatusRuntimeException | java.util.NoSuchElementException e) {
        log.warn("cannot lock {}: {}", id, e.getMessage());
        out.add(new Outcome(id, branch, false, "not locked: " + e.getMessage()));
      }
    }
    return out;
  }

  private boolean running(String workflowId) {
    return WorkflowDescriptions.running(client, workflowId);
  }
}
