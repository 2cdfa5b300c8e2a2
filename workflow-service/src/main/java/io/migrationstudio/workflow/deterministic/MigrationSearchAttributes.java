package io.migrationstudio.workflow.deterministic;

import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import io.temporal.workflow.Workflow;

/**
 * The search attributes a Temporal UI (or {@code temporal workflow list --query}) user filters
 * migrations by: {@code MigrationId}, {@code MigrationStage} (a stage key such as {@code mapping})
 * and {@code MigrationState} (RUNNING, AWAITING_REVIEW, COMPLETED, ...), all Keyword.
 *
 * <p>A server accepts only registered attributes, and an upsert of an unknown one fails the
 * workflow task. So the starter sets all three at start where the namespace has them (and starts
 * without them where it refuses), and the workflow keeps stage and state up to date only when it
 * was started with them: the start event is the proof, read deterministically.
 */
public final class MigrationSearchAttributes {
  public static final SearchAttributeKey<String> MIGRATION_ID =
      SearchAttributeKey.forKeyword("MigrationId");
  public static final SearchAttributeKey<String> MIGRATION_STAGE =
      SearchAttributeKey.forKeyword("MigrationStage");
  public static final SearchAttributeKey<String> MIGRATION_STATE =
      SearchAttributeKey.forKeyword("MigrationState");

  /** Version 1: stage and state are upserted as they change. */
  static final String CHANGE = "search-attributes";

  static final int VERSION = 1;

  private MigrationSearchAttributes() {}

  /** The attributes a migration starts with: its id, the first stage, RUNNING. */
  public static SearchAttributes initial(String migrationId) {
    return SearchAttributes.newBuilder()
        .set(MIGRATION_ID, migrationId)
        .set(MIGRATION_STAGE, io.migrationstudio.contracts.Stage.values()[0].key())
        .set(MIGRATION_STATE, io.migrationstudio.contracts.workflow.MigrationState.RUNNING.name())
        .build();
  }

  /**
   * The attributes a validation-only run starts with: its migration id and the stage {@code
   * validation}, which it keeps for its whole life. No {@code MigrationState}: the run upserts
   * nothing (its Temporal execution status says whether it runs), and {@link #kept} is false
   * without it.
   */
  public static SearchAttributes validationRun(String migrationId) {
    return SearchAttributes.newBuilder()
        .set(MIGRATION_ID, migrationId)
        .set(MIGRATION_STAGE, io.migrationstudio.contracts.Stage.VALIDATION.key())
        .build();
  }

  /**
   * Version 1: the migration's child workflows (per-table copies, the change stream, the reverse
   * stream) start with {@code MigrationId} and {@code MigrationStage}; before it they carried none.
   */
  static final String CHILD_CHANGE = "child-search-attributes";

  static final int CHILD_VERSION = 1;

  /**
   * {@code options} with the attributes of a child of migration {@code migrationId} started in
   * {@code stage} (its id and that stage, which the child keeps; no state: its execution status
   * says it) where this workflow was started with its id (the namespace has the attributes) and
   * runs version {@value #CHILD_VERSION} of {@value #CHILD_CHANGE}. Set at the child's start, never
   * upserted. Workflow code only.
   */
  static io.temporal.workflow.ChildWorkflowOptions.Builder forChild(
      io.temporal.workflow.ChildWorkflowOptions.Builder options,
      String migrationId,
      io.migrationstudio.contracts.Stage stage) {
    if (Workflow.getTypedSearchAttributes().containsKey(MIGRATION_ID)
        && Workflow.getVersion(CHILD_CHANGE, Workflow.DEFAULT_VERSION, CHILD_VERSION)
            >= CHILD_VERSION) {
      options.setTypedSearchAttributes(
          SearchAttributes.newBuilder()
              .set(MIGRATION_ID, migrationId)
              .set(MIGRATION_STAGE, stage.key())
              .build());
    }
    return options;
  }

  /**
   * Whether this workflow keeps its attributes up to date: it was started with them, and it runs
   * code of version {@value #VERSION} or later (histories from before keep replaying unchanged).
   * Workflow code only.
   */
  static boolean kept() {
    SearchAttributes started = Workflow.getTypedSearchAttributes();
    return started.containsKey(MIGRATION_ID)
        && started.containsKey(MIGRATION_STAGE)
        && started.containsKey(MIGRATION_STATE)
        && Workflow.getVersion(CHANGE, Workflow.DEFAULT_VERSION, VERSION) == VERSION;
  }
}
