package io.migrationstudio.workflow.deterministic;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.temporal.workflow.Workflow;

/**
 * The headline of the migration's status query: the current stage, the state and the message.
 * Written by the stage loop and its collaborators, read by the query and the review rules. A change
 * of stage or state is also upserted as the search attributes {@code MigrationStage} and {@code
 * MigrationState} when the workflow keeps them ({@link MigrationSearchAttributes#kept}, decided at
 * the first change); the message is plain state.
 */
final class StatusLine {
  private Stage stage;
  private MigrationState state = MigrationState.RUNNING;
  private String message = "starting";
  private final java.util.function.BooleanSupplier keepSearchAttributes;
  private Boolean searchAttributes; // null until the first change decides
  private String upsertedStage;
  private String upsertedState;

  StatusLine() {
    this(MigrationSearchAttributes::kept);
  }

  /** With {@code keepSearchAttributes} asked at the first change (tests: outside a workflow). */
  StatusLine(java.util.function.BooleanSupplier keepSearchAttributes) {
    this.keepSearchAttributes = keepSearchAttributes;
  }

  Stage stage() {
    return stage;
  }

  void stage(Stage s) {
    stage = s;
    upsert();
  }

  MigrationState state() {
    return state;
  }

  void state(MigrationState s) {
    state = s;
    upsert();
  }

  /** Upserts stage and state when they differ from what the attributes say (workflow code). */
  private void upsert() {
    if (searchAttributes == null) {
      searchAttributes = keepSearchAttributes.getAsBoolean();
      upsertedStage = Stage.values()[0].key(); // as the starter set them
      upsertedState = MigrationState.RUNNING.name();
    }
    String st = stage == null ? upsertedStage : stage.key();
    if (!searchAttributes || (st.equals(upsertedStage) && state.name().equals(upsertedState))) {
      return;
    }
    upsertedStage = st;
    upsertedState = state.name();
    Workflow.upsertTypedSearchAttributes(
        MigrationSearchAttributes.MIGRATION_STAGE.valueSet(upsertedStage),
        MigrationSearchAttributes.MIGRATION_STATE.valueSet(upsertedState));
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
