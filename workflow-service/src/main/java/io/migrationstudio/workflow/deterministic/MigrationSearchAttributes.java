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
