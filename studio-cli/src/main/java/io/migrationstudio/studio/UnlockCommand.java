package io.migrationstudio.studio;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.copy.TargetLock;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.dialect.Connections;
import io.migrationstudio.core.spec.SpecLoader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code studio unlock SPEC [--holder ID]}: shows which migration holds the migration lock of the
 * spec's target ({@link TargetLock}) and, with {@code --holder}, releases it. For a holder that is
 * gone (its process crashed or was killed): a migration that ends releases the lock itself. Naming
 * the holder guards against releasing the lock of a migration that started meanwhile.
 */
@Command(
    name = "unlock",
    description = {
      "Show the migration lock of the spec's target (one live migration per target) and, with"
          + " --holder ID, release it.",
      "Only for a holder that is no longer running (crashed or killed): a migration releases the"
          + " lock itself when it ends.",
      "Exit 0 released or no lock, 1 held (shown, not released), 2 invalid input."
    })
final class UnlockCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "SPEC",
      description = "a migration.yaml (or JSON) whose target is the locked one")
  Path spec;

  @Option(
      names = "--holder",
      paramLabel = "ID",
      description = "release the lock if migration ID holds it (the id the lock message names)")
  String holder;

  @Option(names = "--home", paramLabel = "DIR", description = "studio home (default ./.studio)")
  Path home;

  @Override
  public Integer call() {
    StudioHome h = StudioHome.of(home);
    Logs.init(h);
    MigrationSpec s = SpecLoader.parse(SpecLoader.read(spec));
    return execute(h, s, holder, System.out);
  }

  static int execute(StudioHome home, MigrationSpec spec, String holder, PrintStream out) {
    TargetLock lock = new TargetLock(TargetSchema.DEFAULT_STUDIO_SCHEMA);
    String target = MigrationException.redact(spec.target().url());
    return Connections.onTarget(
        spec,
        Services.secrets(home),
        "the migration lock of target " + target,
        tgt -> {
          Optional<TargetLock.Holder> held = lock.holder(tgt);
          if (held.isEmpty()) {
            out.println("target " + target + " is not locked");
            return StudioMain.EXIT_OK;
          }
          if (holder == null) {
            out.println("target " + target + " is locked by " + held.get().describe());
            out.println(
                "if that migration is no longer running, release the lock with `studio unlock "
                    + spec
                    + " --holder "
                    + held.get().migration()
                    + "`");
            return StudioMain.EXIT_FAILED;
          }
          if (!held.get().migration().equals(holder)) {
            throw new MigrationException(
                ErrorCode.INVALID_SPEC,
                "--holder "
                    + holder
                    + ": the lock of target "
                    + target
                    + " is held by "
                    + held.get().describe()
                    + ", not by "
                    + holder
                    + "; nothing released. Check that "
                    + held.get().migration()
                    + " is no longer running, then pass --holder "
                    + held.get().migration());
          }
          lock.release(tgt, holder);
          out.println(
              "released the lock of target " + target + " held by " + held.get().describe());
          return StudioMain.EXIT_OK;
        });
  }
}
