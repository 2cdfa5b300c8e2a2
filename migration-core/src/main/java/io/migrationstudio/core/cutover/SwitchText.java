package io.migrationstudio.core.cutover;

import io.migrationstudio.contracts.spec.SwitchSpec;

/** How the runbook and {@code rollback.md} name what each switch type does, in one place. */
final class SwitchText {
  private SwitchText() {}

  /** Whether the studio switches (anything but {@code none}). */
  static boolean automatic(SwitchSpec s) {
    return !SwitchSpec.NONE.equals(s.type());
  }

  static String apply(SwitchSpec s) {
    return switch (s.type()) {
      case SwitchSpec.CONFIG_FILE ->
          "Switch traffic: write the target's settings to `" + s.path() + "`";
      case SwitchSpec.COMMAND ->
          "Switch traffic: run the hook `"
              + String.join(" ", s.command())
              + "` (old and new connection in its environment)";
      case SwitchSpec.PGBOUNCER ->
          "Switch traffic: PgBouncer PAUSE "
              + s.database()
              + ", repoint its entry in `"
              + s.ini()
              + "` to the target, RELOAD, RESUME";
      default -> "Switch traffic: repoint the applications to the target (switch type none)";
    };
  }

  static String check(SwitchSpec s) {
    return switch (s.type()) {
      case SwitchSpec.CONFIG_FILE ->
          "the file names the target URL; its previous content is kept as `.pre-cutover`";
      case SwitchSpec.COMMAND -> "the hook exits 0 within " + s.timeoutOrDefault();
      case SwitchSpec.PGBOUNCER ->
          "SHOW DATABASES shows the target's host, port and database for " + s.database();
      default -> "every application's connection string names the target";
    };
  }

  static String revert(SwitchSpec s) {
    return switch (s.type()) {
      case SwitchSpec.CONFIG_FILE ->
          "Revert the switch: restore `" + s.path() + "` from its previous content.";
      case SwitchSpec.COMMAND ->
          "Revert the switch: run the hook `"
              + String.join(" ", s.rollbackCommand() == null ? s.command() : s.rollbackCommand())
              + "` with STUDIO_SWITCH_DIRECTION=rollback.";
      case SwitchSpec.PGBOUNCER ->
          "Revert the switch: PgBouncer PAUSE "
              + s.database()
              + ", put its previous entry back in `"
              + s.ini()
              + "`, RELOAD, RESUME.";
      default -> "Repoint the applications to the source.";
    };
  }
}
