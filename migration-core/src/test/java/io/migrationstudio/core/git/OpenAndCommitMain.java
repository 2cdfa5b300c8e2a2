package io.migrationstudio.core.git;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * A separate process for {@link GitArtifactStoreIT}: waits until the given instant, opens the store
 * of the home, commits one file to the branch and exits 0 (non-zero with the error otherwise).
 */
public final class OpenAndCommitMain {
  private OpenAndCommitMain() {}

  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[0]);
    String branch = args[1];
    String name = args[2];
    long startAt = Long.parseLong(args[3]);
    // sleep, not spin: six spinning openers starve the JVMs still starting on a 2-core box
    for (long left; (left = startAt - System.currentTimeMillis()) > 0; ) {
      Thread.sleep(Math.min(left, 50));
    }
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      String path = "files/" + name + ".txt";
      store.commit(branch, name, path, Map.of(path, name.getBytes(StandardCharsets.UTF_8)));
    }
  }
}
