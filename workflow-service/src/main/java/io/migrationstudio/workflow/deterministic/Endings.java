package io.migrationstudio.workflow.deterministic;

import static io.migrationstudio.workflow.deterministic.Messages.rootMessage;

import io.migrationstudio.contracts.activity.EvidenceActivities;
import io.migrationstudio.contracts.activity.SummaryRequest;
import io.migrationstudio.contracts.workflow.MigrationOutcome;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

/**
 * How the migration and the validation workflows end, written once: the final status goes into
 * {@code PULL_REQUEST.md} (one evidence activity; a failure to write it is logged and does not
 * change the outcome), and the outcome names the branch head it left.
 */
final class Endings {
  private static final Logger log = Workflow.getLogger(Endings.class);

  private Endings() {}

  /**
   * Writes PULL_REQUEST.md for {@code status} (taken after the workflow set its end state and
   * message) and returns the outcome.
   */
  static MigrationOutcome finish(
      EvidenceActivities evidence,
      RunContext run,
      MigrationStatus status,
      MigrationState end,
      String why) {
    String head = null;
    try {
      head =
          evidence
              .writePullRequest(
                  new SummaryRequest(run.migrationId(), run.spec(), run.branch(), status))
              .head();
    } catch (ActivityFailure e) {
      log.warn("could not write PULL_REQUEST.md: {}", rootMessage(e));
    }
    return new MigrationOutcome(run.migrationId(), end, run.branch(), head, why);
  }
}
