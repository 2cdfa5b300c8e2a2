package io.migrationstudio.core.git;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.git.ArtifactStore.CommitInfo;
import io.migrationstudio.core.git.ArtifactStore.CommitOutcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitArtifactStoreIT {
  private static final String BRANCH = "migrations/demo";

  @TempDir Path home;

  @Test
  void firstUseCreatesMainAndBranchesFromIt() {
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      String main = store.head("main").orElseThrow();
      assertTrue(new String(store.read("main", "README.md").orElseThrow(), UTF_8).contains("#"));
      assertEquals(main, store.openBranch(BRANCH));
      assertEquals(main, store.openBranch(BRANCH), "re-opening keeps the branch");
      assertTrue(store.head("migrations/other").isEmpty());
      assertTrue(home.resolve("artifacts/remote.git/HEAD").toFile().isFile());
      assertTrue(home.resolve("artifacts/repo.git/HEAD").toFile().isFile());
    }
  }

  @Test
  void commitsOnlyWhenContentChangesAndPushesToTheRemote() throws Exception {
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      String base = store.openBranch(BRANCH);
      CommitOutcome first =
          store.commit(
              BRANCH,
              "schema-mapper",
              "Mapping",
              Map.of(
                  "02-mapping/mapping.yaml", bytes("a: 1\n"), "02-mapping/dry-run.md", bytes("x")));
      assertTrue(first.changed());
      assertEquals(List.of("02-mapping/dry-run.md", "02-mapping/mapping.yaml"), first.paths());
      CommitOutcome same =
          store.commit(
              BRANCH,
              "schema-mapper",
              "Mapping",
              Map.of("02-mapping/mapping.yaml", bytes("a: 1\n")));
      assertFalse(same.changed());
      assertEquals(first.head(), same.head());
      CommitOutcome second =
          store.commit(
              BRANCH, "reviewer:alice", "Edit", Map.of("02-mapping/mapping.yaml", bytes("a: 2\n")));
      assertTrue(second.changed());
      assertEquals(List.of("02-mapping/mapping.yaml"), second.paths());

      assertEquals("a: 1\n", text(store.read(first.head(), "02-mapping/mapping.yaml")));
      assertEquals("a: 2\n", text(store.read(BRANCH, "02-mapping/mapping.yaml")));
      assertTrue(store.read(BRANCH, "02-mapping/none").isEmpty());
      assertEquals(
          List.of("02-mapping/dry-run.md", "02-mapping/mapping.yaml"),
          store.list(BRANCH, "02-mapping"));
      assertEquals(
          List.of("02-mapping/dry-run.md", "02-mapping/mapping.yaml", "README.md"),
          store.list(BRANCH, ""));
      assertTrue(store.isOnBranch(BRANCH, first.head()));
      assertFalse(store.isOnBranch("main", first.head()));
      assertTrue(store.isAncestor(base, second.head()));
      assertFalse(store.isAncestor(second.head(), first.head()));
      assertFalse(store.isOnBranch(BRANCH, "0".repeat(40)));

      List<CommitInfo> log = store.log(BRANCH);
      assertEquals(3, log.size());
      assertEquals(second.head(), log.get(0).id());
      assertEquals("reviewer:alice", log.get(0).author());
      assertEquals("Edit", log.get(0).message());
      assertEquals(List.of("02-mapping/mapping.yaml"), log.get(0).paths());
      assertEquals(List.of("README.md"), log.get(2).paths());

      try (Repository remote =
              new FileRepositoryBuilder()
                  .setGitDir(home.resolve("artifacts/remote.git").toFile())
                  .build();
          RevWalk walk = new RevWalk(remote)) {
        RevCommit pushed = walk.parseCommit(remote.resolve("refs/heads/" + BRANCH));
        assertEquals(second.head(), pushed.name());
        assertEquals("reviewer:alice@migration-studio", pushed.getAuthorIdent().getEmailAddress());
        assertEquals("reviewer:alice", pushed.getCommitterIdent().getName());
      }
    }
  }

  @Test
  void commitOnAMissingBranchCreatesItFromMain() {
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      CommitOutcome out = store.commit("migrations/x", "studio", "m", Map.of("f", bytes("1")));
      assertTrue(out.changed());
      assertTrue(store.isAncestor(store.head("main").orElseThrow(), out.head()));
    }
  }

  @Test
  void aConfiguredRemoteIsSharedBetweenHomes(@TempDir Path other) {
    String remote;
    String head;
    try (GitArtifactStore a = GitArtifactStore.open(home, null)) {
      a.openBranch(BRANCH);
      head = a.commit(BRANCH, "studio", "one", Map.of("one.txt", bytes("1"))).head();
      remote = a.remoteUri();
    }
    try (GitArtifactStore b = GitArtifactStore.open(other, remote)) {
      assertEquals(head, b.head(BRANCH).orElseThrow());
      assertEquals("1", text(b.read(head, "one.txt")));
      b.commit(BRANCH, "studio", "two", Map.of("two.txt", bytes("2")));
    }
    try (GitArtifactStore a = GitArtifactStore.open(home, null)) {
      assertEquals("2", text(a.read(BRANCH, "two.txt")), "sees the other home's push");
    }
  }

  @Test
  void twoStoresOnOneHomeLoseNoFileUnderConcurrentCommits() throws Exception {
    int threadsPerStore = 3;
    int filesPerThread = 6;
    try (GitArtifactStore a = GitArtifactStore.open(home, null);
        GitArtifactStore b = GitArtifactStore.open(home, null)) {
      a.openBranch(BRANCH);
      ExecutorService pool = Executors.newFixedThreadPool(2 * threadsPerStore);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 2 * threadsPerStore; t++) {
        GitArtifactStore store = t % 2 == 0 ? a : b;
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int f = 0; f < filesPerThread; f++) {
                    String path = "files/t" + thread + "-" + f + ".txt";
                    assertTrue(
                        store
                            .commit(BRANCH, "writer-" + thread, path, Map.of(path, bytes(path)))
                            .changed());
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
      pool.shutdown();
      List<String> files = a.list(BRANCH, "files");
      assertEquals(2 * threadsPerStore * filesPerThread, files.size(), files.toString());
      assertEquals(2 * threadsPerStore * filesPerThread + 1, b.log(BRANCH).size());
    }
  }

  @Test
  void processesAndStoresOpeningAFreshHomeAtTheSameInstantAllSucceed() throws Exception {
    // the home does not exist yet: every opener races to create its repositories
    Path fresh = home.resolve("fresh-home");
    long startAt = System.currentTimeMillis() + 3_000;
    List<Process> processes = new ArrayList<>();
    List<Path> logs = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      // output to a file, not a pipe nobody reads until the end (a full pipe blocks the process)
      Path log = home.resolve("process-" + p + ".log");
      logs.add(log);
      processes.add(
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  OpenAndCommitMain.class.getName(),
                  fresh.toString(),
                  BRANCH,
                  "process-" + p,
                  Long.toString(startAt))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start());
    }
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<?>> threads = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      String name = "thread-" + t;
      threads.add(
          pool.submit(
              () -> {
                OpenAndCommitMain.main(
                    new String[] {fresh.toString(), BRANCH, name, Long.toString(startAt)});
                return null;
              }));
    }
    // one bound for the whole race, generous for a loaded CI box (three JVMs start on two cores;
    // each open and commit takes well under a second once started)
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    for (Future<?> f : threads) {
      f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    pool.shutdown();
    for (int p = 0; p < processes.size(); p++) {
      Process process = processes.get(p);
      if (!process.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        String threadDump = threadDump(process);
        process.destroyForcibly().waitFor();
        throw new AssertionError(
            "process-"
                + p
                + " did not finish within 300 s; its output:\n"
                + java.nio.file.Files.readString(logs.get(p))
                + "\nits threads:\n"
                + threadDump);
      }
      assertEquals(0, process.exitValue(), java.nio.file.Files.readString(logs.get(p)));
    }
    try (GitArtifactStore store = GitArtifactStore.open(fresh, null)) {
      assertEquals(6, store.list(BRANCH, "files").size(), store.list(BRANCH, "files").toString());
    }
  }

  /** {@code jcmd PID Thread.print} of a process that hangs (for the failure message). */
  private static String threadDump(Process process) {
    try {
      Process jcmd =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  Long.toString(process.pid()),
                  "Thread.print")
              .redirectErrorStream(true)
              .start();
      String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      jcmd.waitFor(30, TimeUnit.SECONDS);
      return out;
    } catch (Exception e) {
      return "(no thread dump: " + e + ")";
    }
  }

  /**
   * JGit runs an automatic GC in a background thread after each push it receives; it took {@code
   * gc.log.lock} in the remote while the new repository's permissions were walked, and opening a
   * home failed once in CI. Neither repository of a home runs one, and pushes leave no GC files.
   */
  @Test
  void pushesStartNoBackgroundGc() throws Exception {
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      for (int i = 0; i < 5; i++) {
        store.commit("m/gc", "test", "c" + i, Map.of("a.txt", ("v" + i).getBytes(UTF_8)));
      }
    }
    for (String name : List.of("remote.git", "repo.git")) {
      Path dir = home.resolve("artifacts").resolve(name);
      try (Repository repo = new FileRepositoryBuilder().setGitDir(dir.toFile()).build()) {
        assertFalse(repo.getConfig().getBoolean("receive", null, "autogc", true), name);
        assertEquals(0, repo.getConfig().getInt("gc", null, "auto", -1), name);
      }
      assertFalse(java.nio.file.Files.exists(dir.resolve("gc.log.lock")), name);
      assertFalse(java.nio.file.Files.exists(dir.resolve("gc.log")), name);
    }
  }

  /** A home made before the setting gets it when opened. */
  @Test
  void anOlderHomeIsOpenedWithoutAutoGc() throws Exception {
    GitArtifactStore.open(home, null).close();
    Path remote = home.resolve("artifacts").resolve("remote.git");
    try (Repository repo = new FileRepositoryBuilder().setGitDir(remote.toFile()).build()) {
      repo.getConfig().unset("receive", null, "autogc");
      repo.getConfig().unset("gc", null, "auto");
      repo.getConfig().save();
    }
    GitArtifactStore.open(home, null).close();
    try (Repository repo = new FileRepositoryBuilder().setGitDir(remote.toFile()).build()) {
      assertFalse(repo.getConfig().getBoolean("receive", null, "autogc", true));
    }
  }

  @Test
  void refusesPathsOutsideTheRepository() {
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      for (String bad : List.of("../x", "/etc/passwd", "a//b", ".git/config", "a/./b", "")) {
        MigrationException e =
            assertThrows(
                MigrationException.class,
                () -> store.commit(BRANCH, "studio", "m", Map.of(bad, bytes("x"))),
                bad);
        assertEquals(ErrorCode.INVALID_ARTIFACT, e.code());
      }
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static String text(java.util.Optional<byte[]> content) {
    return new String(content.orElseThrow(), UTF_8);
  }
}
