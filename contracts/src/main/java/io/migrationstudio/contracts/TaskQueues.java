package io.migrationstudio.contracts;

/** Task-queue names, one per worker service. Assessment and mapping share the assessment worker. */
public final class TaskQueues {
  /** The queue of {@code MigrationWorkflow} itself (served by workflow-service). */
  public static final String WORKFLOW = "studio-workflow";

  public static final String ASSESSMENT = "studio-assessment";
  public static final String MIGRATE = "studio-migrate";
  public static final String VALIDATION = "studio-validation";
  public static final String CUTOVER = "studio-cutover";

  private TaskQueues() {}

  /** The queue whose worker runs the activities of a stage. */
  public static String forStage(Stage stage) {
    return switch (stage) {
      case ASSESSMENT, MAPPING -> ASSESSMENT;
      case MIGRATE -> MIGRATE;
      case VALIDATION -> VALIDATION;
      case CUTOVER -> CUTOVER;
    };
  }

  /** The workflow id of a migration. */
  public static String workflowId(String migrationId) {
    return "migration-" + migrationId;
  }

  /** The git branch of a migration. */
  public static String branch(String migrationId) {
    return "migrations/" + migrationId;
  }
}
