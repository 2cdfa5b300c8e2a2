package io.migrationstudio.workflow.service;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.workflow.OperatorService;

/**
 * Read-only HTTP view of the operator API ({@code /api/migrations}): the same status records as
 * {@code studio status --json}. Runs on the blocking executor: it queries Temporal.
 */
@Controller("/api/migrations")
@ExecuteOn(TaskExecutors.BLOCKING)
class MigrationController {
  private final OperatorService operator;

  MigrationController(OperatorService operator) {
    this.operator = operator;
  }

  /**
   * Every run, or those at {@code stage} in {@code state} ({@code ?stage=mapping&state=RUNNING}).
   */
  @Get(uri = "{?stage,state}", produces = MediaType.APPLICATION_JSON)
  String list(@Nullable String stage, @Nullable String state) {
    return Json.writeCompact(operator.list(stage, state));
  }

  @Get(uri = "/{id}", produces = MediaType.APPLICATION_JSON)
  String status(String id) {
    return Json.writeCompact(operator.status(id));
  }
}
