package io.migrationstudio.core.cutover;

import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.SwitchSpec;
import io.migrationstudio.core.cutover.StepRecorder.CheckFailed;
import io.migrationstudio.core.dialect.Secrets;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code command} switch: runs the operator's hook (argv as given, no shell) with the
 * connection traffic leaves ({@code STUDIO_OLD_*}) and the one it goes to ({@code STUDIO_NEW_*}) in
 * its environment: {@code URL}, {@code USER}, {@code PASSWORD} (resolved from the spec's reference
 * here, never put on the command line), {@code SCHEMA}, {@code HOST}, {@code PORT}, {@code
 * DATABASE}; plus {@code STUDIO_MIGRATION} and {@code STUDIO_SWITCH_DIRECTION} ({@code cutover} or
 * {@code rollback}). Exit code 0 means switched; any other code, or running longer than {@code
 * cutover.switch.timeout} (the hook and its children are then killed), fails the step. Standard
 * output and error, merged, go into the cutover log with every resolved password replaced by {@code
 * ***}, the last {@value #MAX_OUTPUT} characters kept.
 */
final class CommandSwitch implements TrafficSwitch {
  static final String CUTOVER = "cutover";
  static final String ROLLBACK = "rollback";

  /** Characters of a hook's output kept for the log: enough for an error, not a whole log. */
  static final int MAX_OUTPUT = 2000;

  private final MigrationSpec spec;
  private final Secrets secrets;
  private final SwitchSpec sw;

  CommandSwitch(MigrationSpec spec, Secrets secrets) {
    this.spec = spec;
    this.secrets = secrets;
    this.sw = spec.cutover().switchTo();
  }

  @Override
  public String apply() throws IOException {
    return run(sw.command(), CUTOVER, spec.source(), spec.target());
  }

  @Override
  public String revert() throws IOException {
    List<String> argv = sw.rollbackCommand() == null ? sw.command() : sw.rollbackCommand();
    return run(argv, ROLLBACK, spec.target(), spec.source());
  }

  @Override
  public String describe() {
    return "the hook " + shown(sw.rollbackCommand() == null ? sw.command() : sw.rollbackCommand());
  }

  private String run(List<String> argv, String direction, ConnectionSpec from, ConnectionSpec to)
      throws IOException {
    if (argv == null || argv.isEmpty()) {
      throw new CheckFailed("cutover.switch.command is empty: nothing to run");
    }
    Duration timeout = Duration.parse(sw.timeoutOrDefault());
    List<String> passwords = new ArrayList<>();
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("STUDIO_MIGRATION", spec.id());
    env.put("STUDIO_SWITCH_DIRECTION", direction);
    put(env, "STUDIO_OLD_", from, direction.equals(CUTOVER) ? "source" : "target", passwords);
    put(env, "STUDIO_NEW_", to, direction.equals(CUTOVER) ? "target" : "source", passwords);
    long start = System.nanoTime();
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new CheckFailed(
          "cannot start the switch hook "
              + shown(argv)
              + ": "
              + e.getMessage()
              + "; check the path"
              + " and that it is executable for the worker's user");
    }
    p.getOutputStream().close();
    OutputTail tail = new OutputTail(p.getInputStream());
    Thread reader = new Thread(tail, "switch-hook-output");
    reader.setDaemon(true);
    reader.start();
    boolean finished;
    try {
      finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      finished = false;
    }
    if (!finished) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    join(reader);
    long ms = StepRecorder.millis(System.nanoTime() - start);
    String output = redact(tail.text(), passwords);
    String said = output.isBlank() ? "no output" : "output: " + output;
    if (!finished) {
      throw new CheckFailed(
          "the switch hook "
              + shown(argv)
              + " ("
              + direction
              + ") did not finish within cutover.switch.timeout "
              + sw.timeoutOrDefault()
              + " and was killed; "
              + said);
    }
    if (p.exitValue() != 0) {
      throw new CheckFailed(
          "the switch hook "
              + shown(argv)
              + " ("
              + direction
              + ") exited with code "
              + p.exitValue()
              + " after "
              + ms
              + " ms; "
              + said);
    }
    return "the hook " + shown(argv) + " (" + direction + ") exited 0 after " + ms + " ms; " + said;
  }

  private void put(
      Map<String, String> env,
      String prefix,
      ConnectionSpec c,
      String role,
      List<String> passwords) {
    JdbcAddress a = JdbcAddress.parse(c.url());
    env.put(prefix + "URL", c.url());
    putIf(env, prefix + "USER", c.user());
    putIf(env, prefix + "SCHEMA", c.schema());
    putIf(env, prefix + "HOST", a.host());
    putIf(env, prefix + "PORT", a.port());
    putIf(env, prefix + "DATABASE", a.database());
    String password = secrets.resolve(c.password(), role + ".password");
    putIf(env, prefix + "PASSWORD", password);
    if (password != null && !password.isEmpty()) {
      passwords.add(password);
    }
  }

  private static void putIf(Map<String, String> env, String key, String value) {
    if (value != null) {
      env.put(key, value);
    }
  }

  /** The hook's output with every secret it was given replaced, URLs redacted. */
  static String redact(String output, List<String> secrets) {
    String out = output;
    for (String s : secrets) {
      out = out.replace(s, "***");
    }
    return MigrationException.redact(out.strip()).replaceAll("\\R+", " | ");
  }

  private static String shown(List<String> argv) {
    return "`" + String.join(" ", argv == null ? List.of() : argv) + "`";
  }

  private static void join(Thread reader) {
    try {
      reader.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Reads a stream to its end, keeping the last {@link #MAX_OUTPUT} characters. */
  private static final class OutputTail implements Runnable {
    private final InputStream in;
    private final StringBuilder text = new StringBuilder();
    private boolean cut;

    OutputTail(InputStream in) {
      this.in = in;
    }

    @Override
    public void run() {
      char[] buf = new char[4096];
      try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
        int n;
        while ((n = r.read(buf)) > 0) {
          synchronized (this) {
            text.append(buf, 0, n);
            if (text.length() > 2 * MAX_OUTPUT) {
              text.delete(0, text.length() - MAX_OUTPUT);
              cut = true;
            }
          }
        }
      } catch (IOException ended) {
        // the hook was killed or closed its output: what was read is kept
      }
    }

    synchronized String text() {
      if (text.length() > MAX_OUTPUT) {
        text.delete(0, text.length() - MAX_OUTPUT);
        cut = true;
      }
      return (cut ? "…" : "") + text;
    }
  }
}
