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
}
