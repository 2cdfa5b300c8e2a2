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
      case CUTOVER, DECOMMISSION -> CUTOVER;
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

  /**
   * The prefix of every validation-only workflow id of a migration (see {@link
   * #validationWorkflowId}).
   */
  public static String validationWorkflowPrefix(String migrationId) {
    return "validation-" + migrationId + "-";
  }

  /**
   * The workflow id of the {@code run}-th validation-only run of a migration's source/target pair:
   * {@code validation-<id>-<run>}, {@code run} ≥ 1. The caller chooses {@code run} (the operator
   * service takes the first number no workflow on the server has used yet), so repeated validations
   * of one pair never collide and the id is known before the workflow starts.
   */
  public static String validationWorkflowId(String migrationId, long run) {
    if (run < 1) {
      throw new IllegalArgumentException(
          "validation run number of " + migrationId + " must be >= 1, was " + run);
    }
    return validationWorkflowPrefix(migrationId) + run;
  }

  /**
   * The git branch of a migration's validation-only runs: {@code validations/<id>}. Every run of
   * the pair commits its reports there, so the branch history shows the verdicts over time (e.g.
   * before and after a cutover); a run on unchanged data adds no commit.
   */
  public static String validationBranch(String migrationId) {
    return "validations/" + migrationId;
  }
}
