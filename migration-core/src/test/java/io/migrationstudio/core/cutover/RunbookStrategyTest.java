package io.migrationstudio.core.cutover;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrateOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The runbook states what the strategy demands of the source's writes. */
class RunbookStrategyTest {
  private static final MigrationSpec SPEC =
      new MigrationSpec(
          "runbook-strategy",
          null,
          new ConnectionSpec("jdbc:postgresql://localhost/src", "u", null, null),
          new ConnectionSpec("jdbc:postgresql://localhost/dst", "u", null, null),
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null);

  private static String render(MigrationSpec spec) {
    return RunbookWriter.render(
        spec, new RunbookWriter.Evidence("abc", 3, 1000L, 1000L, Optional.empty()));
  }

  @Test
  void bulkSaysWritesWereStoppedBeforeMigrate() {
    String md = render(SPEC);
    assertTrue(
        md.contains("| Strategy | bulk: writes to the source were stopped before Migrate started"),
        md);
    assertTrue(md.contains("strategy bulk has no change capture"), md);
  }

  @Test
  void onlineSaysTheSourceKeepsTakingWritesAndTheStreamMustBeDrained() {
    String md = render(SPEC.withMigrate(MigrateOptions.defaults().withStrategy("online")));
    assertTrue(md.contains("| Strategy | online: the source keeps taking writes"), md);
    assertTrue(md.contains("max_lag PT5S"), md);
    assertTrue(md.contains("end marker after the freeze and applies the stream up to it"), md);
    assertTrue(md.contains("within cutover.max_lag PT5S"), md);
    assertFalse(md.contains("has no change capture"), md);
  }
}
