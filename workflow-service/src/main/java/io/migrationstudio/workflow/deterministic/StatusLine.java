package io.migrationstudio.workflow.deterministic;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.workflow.MigrationState;

/**
 * The headline of the migration's status query: the current stage, the state and the message.
 * Written by the stage loop and its collaborators, read by the query and the review rules. Plain
 * state, no commands.
 */
final class StatusLine {
  private Stage stage;
  private MigrationState state = MigrationState.RUNNING;
  private String message = "starting";

  Stage stage() {
    return stage;
  }

  void stage(Stage s) {
    stage = s;
  }

  MigrationState state() {
    return state;
  }

  void state(MigrationState s) {
    state = s;
  }

  String message() {
    return message;
  }

  /** Sets the message. */
  void say(String m) {
    message = m;
  }

  /**
   * The message as the status query shows it: while Migrate or Validation is under way it ends with
   * what {@code migrate.strategy} demands of the source's writes. Only the query reads it (nothing
   * enters history), so it needs no workflow version.
   */
  String shown(io.migrationstudio.contracts.spec.MigrateOptions migrate) {
    boolean underWay = state == MigrationState.RUNNING || state == MigrationState.AWAITING_REVIEW;
    if (!underWay || (stage != Stage.MIGRATE && stage != Stage.VALIDATION) || migrate == null) {
      return message;
    }
    return message
        + (migrate.online()
            ? " [online: the source keeps taking writes; the stream keeps the target in sync]"
            : " [bulk: writes to the source must stay stopped until the cutover]");
  }
}
