package io.migrationstudio.studio;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.cutover.FreezeRelease;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.spec.SpecLoader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code studio release SPEC|ID}: lifts the write freeze the studio left on a migration's source
 * (the cutover keeps the source tables guarded as the fallback of hypercare; a crash can leave a
 * freeze behind). The source comes from the spec file, or from the {@code migration.yaml} on the
 * branch {@code migrations/ID} of the studio home. Names the tables released; idempotent.
 */
@Command(
    name = "release",
    description = {
      "Lift the write freeze the studio left on a migration's source: every table of the source"
          + " database carrying the studio's write guard takes writes again. Names the tables.",
      "SPEC|ID: a migration.yaml, or the id of a migration of the studio home (its spec is read"
          + " from the branch migrations/ID).",
      "Exit 0 released or nothing frozen, 1 failed, 2 invalid input."
    })
final class ReleaseCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SPEC|ID", description = "a spec file or a migration id")
  String specOrId;

  @Option(names = "--home", paramLabel = "DIR", description = "studio home (default ./.studio)")
  Path home;

  @Override
  public Integer call() {
    StudioHome h = StudioHome.of(home);
    Logs.init(h);
    MigrationSpec spec = spec(h, specOrId);
    return execute(h, spec, System.out);
  }

  static int execute(StudioHome home, MigrationSpec spec, PrintStream out) {
    FreezeRelease.Released r = new FreezeRelease(Services.secrets(home)).release(spec);
    out.println(spec.id() + ": " + r.describe());
    return StudioMain.EXIT_OK;
  }

  /** The spec of a file, or of migration {@code arg} in the home's artifact repository. */
  static MigrationSpec spec(StudioHome home, String arg) {
    Path file = Path.of(arg);
    if (Files.isRegularFile(file)) {
      return SpecLoader.parse(SpecLoader.read(file));
    }
    if (!SpecLoader.ID.matcher(arg).matches()) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          arg + " is neither a spec file nor a migration id; pass a migration.yaml or an id");
    }
    if (!Files.isDirectory(home.root().resolve("artifacts"))) {
      throw notFound(home, arg);
    }
    try (GitArtifactStore store = GitArtifactStore.open(home.root(), null)) {
      byte[] yaml =
          store
              .read("migrations/" + arg, ArtifactPaths.SPEC)
              .orElseThrow(() -> notFound(home, arg));
      return SpecLoader.parse(new String(yaml, StandardCharsets.UTF_8));
    }
  }

  private static MigrationException notFound(StudioHome home, String id) {
    return new MigrationException(
        ErrorCode.INVALID_SPEC,
        "no migration "
            + id
            + " in the studio home "
            + home.root().toAbsolutePath()
            + " (no branch migrations/"
            + id
            + " with a "
            + ArtifactPaths.SPEC
            + "); pass --home of the studio that ran it, or the spec file");
  }
}
