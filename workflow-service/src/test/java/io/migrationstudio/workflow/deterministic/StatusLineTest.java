package io.migrationstudio.workflow.deterministic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.spec.MigrateOptions;
import io.migrationstudio.contracts.workflow.MigrationState;
import org.junit.jupiter.api.Test;

/** The status line says what the strategy demands of source writes while Migrate/Validation run. */
class StatusLineTest {
  @Test
  void migrateAndValidationShowTheStrategyOtherStagesAndEndsDoNot() {
    StatusLine line = new StatusLine(() -> false); // outside a workflow: no search attributes
    line.say("migrate: 3/10 chunks");
    line.stage(Stage.MIGRATE);
    assertEquals(
        "migrate: 3/10 chunks [bulk: writes to the source must stay stopped until the cutover]",
        line.shown(MigrateOptions.defaults()));
    assertTrue(
        line.shown(MigrateOptions.defaults().withStrategy("online"))
            .endsWith(
                "[online: the source keeps taking writes; the stream keeps the target in sync]"));
    line.stage(Stage.VALIDATION);
    line.state(MigrationState.AWAITING_REVIEW);
    assertTrue(line.shown(MigrateOptions.defaults()).contains("[bulk:"));
    line.stage(Stage.MAPPING);
    assertEquals("migrate: 3/10 chunks", line.shown(MigrateOptions.defaults()));
    line.stage(Stage.MIGRATE);
    line.state(MigrationState.FAILED);
    assertEquals("migrate: 3/10 chunks", line.shown(MigrateOptions.defaults()));
  }
}
