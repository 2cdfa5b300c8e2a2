package io.migrationstudio.contracts.workflow;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A validation-only run of an existing source/target pair (no copy, no review gates), id {@code
 * validation-<id>-<run>} ({@link io.migrationstudio.contracts.TaskQueues#validationWorkflowId}),
 * evidence on branch {@code validations/<id>}: the spec, an inventory of the source, a mapping
 * (generated, with the spec's {@code mapping.overrides} merged), the validation report and the
 * regression replay, and {@code PULL_REQUEST.md}. For targets loaded by the studio or by any other
 * tool, before and after cutover.
 *
 * <p>The outcome is {@link MigrationState#COMPLETED} when the regression tester's verdict is PASS,
 * {@link MigrationState#FAILED} when it is FAIL (the status then shows the VALIDATION stage with
 * verdict FAIL) or when an activity failed (the stage shows state {@code failed}, no verdict).
 */
@WorkflowInterface
public interface ValidationWorkflow {

  @WorkflowMethod
  MigrationOutcome run(MigrationInput input);

  /** Steps ASSESSMENT and MAPPING (producers only) and VALIDATION; MIGRATE and CUTOVER not-run. */
  @QueryMethod
  MigrationStatus status();
}
