package io.migrationstudio.core.cutover;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.SwitchSpec;
import io.migrationstudio.core.cutover.reverse.RollbackService.SwitchBack.Held;
import io.migrationstudio.core.dialect.Secrets;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Optional;

/**
 * One way of sending the applications' traffic from the source to the target and back ({@code
 * cutover.switch.type}). {@link #apply} and {@link #revert} return the one-line detail the cutover
 * log records for the step (what was done, how long its parts took); a failure throws, and the step
 * recorder records it. Implementations keep what they replaced, so {@link #revert} puts back
 * exactly that.
 */
interface TrafficSwitch {
  /** Sends traffic to the target. */
  String apply() throws IOException, SQLException;

  /** Sends traffic back to the source; called only after {@link #apply} was attempted. */
  String revert() throws IOException, SQLException;

  /**
   * Sends traffic back to the source after a switch this object did not make: the rollback after a
   * cutover, in another activity or process, long after {@link #apply}. It works from what the
   * switch left on disk ({@code .pre-cutover} files) or from the spec, never from memory; running
   * it again repeats the same end state.
   */
  default String revertAfterSwitch() throws IOException, SQLException {
    return revert();
  }

  /** Whether {@link #revertAfterSwitch(Held)} can hold the traffic (PgBouncer's PAUSE). */
  default boolean holdsTraffic() {
    return false;
  }

  /**
   * {@link #revertAfterSwitch()} with the traffic held around {@code held}'s release (the source
   * unfrozen while the clients wait); only when {@link #holdsTraffic}.
   */
  default String revertAfterSwitch(Held held) throws IOException, SQLException {
    throw new UnsupportedOperationException(describe() + " cannot hold traffic");
  }

  /** What {@link #revert} sends traffic back through, for messages ("restore it by hand"). */
  String describe();

  /**
   * Whether the drill may rehearse this switch: a file the applications read at their next start
   * can be written and put back; a hook or a PgBouncer repoint moves live traffic at once.
   */
  static boolean rehearsable(SwitchSpec s) {
    return SwitchSpec.NONE.equals(s.type()) || SwitchSpec.CONFIG_FILE.equals(s.type());
  }

  /**
   * The switch of the spec; empty for {@code none}. {@code keepBackup}: a config file's previous
   * content is also left next to it ({@code .pre-cutover}) for operators.
   */
  static Optional<TrafficSwitch> of(MigrationSpec spec, Secrets secrets, boolean keepBackup) {
    SwitchSpec s = spec.cutover().switchTo();
    return switch (s.type()) {
      case SwitchSpec.NONE -> Optional.empty();
      case SwitchSpec.CONFIG_FILE -> Optional.of(new ConfigFileSwitch(spec, keepBackup));
      case SwitchSpec.COMMAND -> Optional.of(new CommandSwitch(spec, secrets));
      case SwitchSpec.PGBOUNCER -> Optional.of(new PgBouncerSwitch(spec, secrets));
      default ->
          throw new MigrationException(
              ErrorCode.INVALID_SPEC,
              "cutover.switch.type '"
                  + s.type()
                  + "' is not one of none, config-file, command, pgbouncer; fix the spec");
    };
  }
}
