package io.migrationstudio.studio;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code studio} command in a JVM of its own (a server or a worker a test kills with SIGKILL), on
 * the test's class path, its output in {@code log}.
 *
 * <p>The JVM runs with the JIT's first tier only and the serial collector, as the {@code studio}
 * script runs its client commands: much of a child's life in a test is its start-up (Micronaut, the
 * embedded Temporal, gRPC, the workers), which C2's compiler threads slow down on a two-core
 * machine shared with the test JVMs and the databases. Measured on a {@code studio server} start
 * (time to its first line): 90 s against 125 s at load 23-30, two runs each (ServerRecoveryIT
 * starts four). What the child does is the same; only its JIT and collector differ.
 */
final class StudioProcess {
  private StudioProcess() {}

  static Process start(Path log, String... args) throws IOException {
    return start(log, java.util.Map.of(), args);
  }

  /** As {@link #start(Path, String...)}, with {@code env} added to the inherited environment. */
  static Process start(Path log, java.util.Map<String, String> env, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(StudioMain.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return builder.start();
  }
}
