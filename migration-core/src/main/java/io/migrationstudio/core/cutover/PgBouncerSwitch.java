package io.migrationstudio.core.cutover;

import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.SwitchSpec;
import io.migrationstudio.core.cutover.StepRecorder.CheckFailed;
import io.migrationstudio.core.cutover.reverse.RollbackService.SwitchBack.Held;
import io.migrationstudio.core.dialect.Secrets;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code pgbouncer} switch, through PgBouncer's admin console (the {@code pgbouncer} database
 * of {@code cutover.switch.admin}, whose user is one of PgBouncer's {@code admin_users}):
 *
 * <ol>
 *   <li>{@code PAUSE db}: PgBouncer lets every running transaction finish (pool mode {@code
 *       transaction}; in {@code session} mode it waits for clients to disconnect), then holds new
 *       queries; waits at most {@code cutover.switch.timeout}, then resumes and fails;
 *   <li>the {@code [databases]} entry of {@code db} in {@code cutover.switch.ini} is repointed: its
 *       {@code host}, {@code port} and {@code dbname} become the target's (other settings of the
 *       entry stay), or the whole entry becomes {@code cutover.switch.entry}; written atomically
 *       with the file's permissions kept;
 *   <li>{@code RELOAD}, and {@code SHOW DATABASES} must show the new host, port and database;
 *   <li>{@code RESUME db}: held queries run, on the target. Clients keep their connection string
 *       and, in transaction mode, their connections.
 * </ol>
 *
 * {@link #revert} does the same with the entry as it was. Before the ini is rewritten, the entry it
 * replaces is kept in {@code <ini>.pre-cutover} ({@value #KEPT_SUFFIX}), so that the rollback after
 * the cutover ({@link #revertAfterSwitch}, in another activity or process) puts back exactly that
 * entry; without the file it repoints the current entry to the source URL's host, port and dbname.
 * Whatever fails, the database is resumed before the step returns: a switch never leaves the
 * applications paused. The rollback's switch back holds the clients while the source is unfrozen
 * ({@link #revertAfterSwitch(Held)}): they resume on a writable source, never on a frozen one.
 * PgBouncer has no console command that edits a database entry, so the ini file is the only way;
 * passwords never go into the entry (PgBouncer's {@code auth_file}/{@code auth_query} keep them).
 */
final class PgBouncerSwitch implements TrafficSwitch {
  /** Suffix of the file next to the ini that keeps the entry the cutover replaced. */
  static final String KEPT_SUFFIX = CutoverService.PRE_CUTOVER_SUFFIX;

  private final MigrationSpec spec;
  private final Secrets secrets;
  private final SwitchSpec sw;
  private final PgBouncerIni ini;
  private final Path kept;
  private String previousEntry;

  /** Whether the ini holds the target's entry now (so a revert has something to put back). */
  private boolean iniChanged;

  PgBouncerSwitch(MigrationSpec spec, Secrets secrets) {
    this.spec = spec;
    this.secrets = secrets;
    this.sw = spec.cutover().switchTo();
    this.ini = new PgBouncerIni(Path.of(sw.ini()));
    this.kept = Path.of(sw.ini() + KEPT_SUFFIX);
  }

  @Override
  public String apply() throws IOException, SQLException {
    String current = ini.entry(sw.database());
    String next =
        sw.entry() != null && !sw.entry().isBlank()
            ? sw.entry()
            : PgBouncerIni.repoint(current, JdbcAddress.parse(spec.target().url()));
    keep(current, next);
    previousEntry = current;
    return repoint(next, "to the target", true, null);
  }

  @Override
  public String revert() throws IOException, SQLException {
    if (previousEntry == null || !iniChanged) {
      if (previousEntry != null) {
        Files.deleteIfExists(kept); // it holds the entry the ini still has
      }
      return "the [databases] entry of " + sw.database() + " was not changed: nothing to revert";
    }
    String detail = repoint(previousEntry, "back to the source", false, null);
    previousEntry = null;
    Files.deleteIfExists(kept);
    return detail;
  }

  /**
   * The rollback's switch back: the entry kept in {@code <ini>.pre-cutover} at the cutover, or
   * (without that file) the current entry with the source URL's host, port and dbname; then the
   * same PAUSE, rewrite, RELOAD, check, RESUME. The file is removed once PgBouncer shows the
   * source.
   */
  @Override
  public String revertAfterSwitch() throws IOException, SQLException {
    return revertAfterSwitch(null);
  }

  @Override
  public boolean holdsTraffic() {
    return true;
  }

  /**
   * {@link #revertAfterSwitch()} in the order PAUSE, {@code held}'s release (the rollback unfreezes
   * the source), rewrite, RELOAD, check, RESUME: the clients wait at PgBouncer for a writable
   * source instead of meeting its write guards between RESUME and the unfreeze. A failure after the
   * release calls {@code held}'s undo (the source frozen again) before the clients resume.
   */
  @Override
  public String revertAfterSwitch(Held held) throws IOException, SQLException {
    String current = ini.entry(sw.database());
    Optional<String> keptEntry = keptEntry();
    String back =
        keptEntry.orElseGet(
            () -> PgBouncerIni.repoint(current, JdbcAddress.parse(spec.source().url())));
    String detail = repoint(back, "back to the source", false, held);
    Files.deleteIfExists(kept);
    return detail
        + (keptEntry.isPresent()
            ? " (the entry kept at the cutover in " + kept + ")"
            : " (no " + kept + ": the entry's host, port and dbname from the source URL)");
  }

  @Override
  public String describe() {
    return "the [databases] entry " + sw.database() + " of " + sw.ini();
  }

  /**
   * PAUSE, {@code held}'s release (when given), rewrite, RELOAD, check, RESUME; resumed whatever
   * fails, after {@code held}'s undo when it had been released.
   */
  private String repoint(String entry, String where, boolean toTarget, Held held)
      throws IOException, SQLException {
    String db = sw.database();
    Duration timeout = Duration.parse(sw.timeoutOrDefault());
    List<String> done = new ArrayList<>();
    PgBouncerConsole admin = openAdmin(timeout);
    try {
      long paused = System.nanoTime();
      pause(admin, db, timeout);
      done.add("PAUSE " + db + " " + StepRecorder.millis(System.nanoTime() - paused) + " ms");
      boolean resumed = false;
      boolean released = false;
      boolean shown = false;
      try {
        long t = System.nanoTime();
        if (held != null) {
          String what = held.release();
          released = true;
          done.add(what + " " + StepRecorder.millis(System.nanoTime() - t) + " ms");
          t = System.nanoTime();
        }
        String was = ini.replace(db, entry);
        iniChanged = toTarget;
        done.add(
            sw.ini()
                + " ["
                + db
                + "] `"
                + entry
                + "` (was `"
                + was
                + "`) "
                + StepRecorder.millis(System.nanoTime() - t)
                + " ms");
        t = System.nanoTime();
        try {
          execute(admin, "RELOAD", timeout);
        } catch (IOException lost) {
          // the console session was lost (seen once as a connection reset): RELOAD again, which
          // is idempotent, through a new session; PAUSE is PgBouncer's state, not the session's
          admin.close();
          admin = openAdmin(timeout);
          execute(admin, "RELOAD", timeout);
          done.add("console session lost at RELOAD (" + lost.getMessage() + "), reopened");
        }
        done.add("RELOAD " + StepRecorder.millis(System.nanoTime() - t) + " ms");
        done.add("SHOW DATABASES: " + expectEntry(admin, db, entry, timeout));
        shown = true;
        t = System.nanoTime();
        execute(admin, "RESUME " + ident(db), timeout);
        resumed = true;
        done.add("RESUME " + StepRecorder.millis(System.nanoTime() - t) + " ms");
      } catch (IOException | SQLException | RuntimeException e) {
        // PgBouncer does not show the new entry yet: the clients resume where they were
        if (released && !shown) {
          try {
            held.undo();
          } catch (SQLException | RuntimeException undo) {
            e.addSuppressed(undo);
          }
        }
        throw e;
      } finally {
        if (!resumed) {
          resumeSurely(admin, db, timeout);
        }
      }
      done.add(
          "clients of "
              + db
              + " held for "
              + StepRecorder.millis(System.nanoTime() - paused)
              + " ms");
    } finally {
      admin.close();
    }
    return "PgBouncer " + db + " repointed " + where + ": " + String.join("; ", done);
  }

  /**
   * Writes {@code current} to {@link #kept} before the ini changes, unless the ini already holds
   * the target's entry (a second cutover attempt: the file of the first one keeps the source's).
   */
  private void keep(String current, String next) throws IOException {
    if (current.equals(next)) {
      return;
    }
    Files.writeString(
        kept,
        "; the [databases] entry of "
            + sw.database()
            + " before the cutover of migration "
            + spec.id()
            + ": its rollback puts it back, then removes this file\n"
            + sw.database()
            + " = "
            + current
            + "\n",
        StandardCharsets.UTF_8);
  }

  /** The entry of the database in {@link #kept}; empty without the file or that line. */
  private Optional<String> keptEntry() throws IOException {
    if (!Files.isRegularFile(kept)) {
      return Optional.empty();
    }
    for (String line : Files.readAllLines(kept, StandardCharsets.UTF_8)) {
      int eq = line.indexOf('=');
      if (!line.startsWith(";") && eq > 0 && line.substring(0, eq).strip().equals(sw.database())) {
        return Optional.of(line.substring(eq + 1).strip());
      }
    }
    return Optional.empty();
  }

  private PgBouncerConsole openAdmin(Duration timeout) throws IOException, SQLException {
    ConnectionSpec a = sw.admin();
    JdbcAddress at = JdbcAddress.parse(a.url());
    String password = secrets.resolve(a.password(), "cutover.switch.admin.password");
    try {
      return PgBouncerConsole.open(
          at.host() == null ? "localhost" : at.host(),
          at.port() == null ? 5432 : Integer.parseInt(at.port()),
          at.database() == null ? "pgbouncer" : at.database(),
          a.user(),
          password,
          timeout);
    } catch (IOException | SQLException e) {
      throw new CheckFailed(
          "cannot open PgBouncer's admin console at "
              + MigrationException.redact(a.url())
              + " as "
              + a.user()
              + ": "
              + e.getMessage()
              + "; the user must be in PgBouncer's admin_users (or stats_users cannot PAUSE) and"
              + " the URL name the database pgbouncer");
    }
  }

  /**
   * PAUSE waits for the transactions in flight; it is given {@code timeout}, then the pause is
   * called off (RESUME through a second console session) and the step fails naming the wait.
   */
  private void pause(PgBouncerConsole admin, String db, Duration timeout)
      throws IOException, SQLException {
    try {
      admin.query("PAUSE " + ident(db), timeout);
    } catch (SocketTimeoutException e) {
      try (PgBouncerConsole second = openAdmin(timeout)) {
        resumeQuietly(second, db, timeout);
      }
      throw new CheckFailed(
          "PAUSE "
              + db
              + " did not complete within cutover.switch.timeout "
              + sw.timeoutOrDefault()
              + ": a transaction through PgBouncer is still running (or the pool mode is"
              + " session and clients stay connected); the pause was called off and nothing"
              + " was repointed. Let it finish, or raise the timeout");
    }
  }

  /** The row of {@code db} in SHOW DATABASES agrees with the entry's host, port and dbname. */
  private static String expectEntry(
      PgBouncerConsole admin, String db, String entry, Duration timeout)
      throws IOException, SQLException {
    Map<String, String> want = PgBouncerIni.settings(entry);
    for (Map<String, String> row : admin.query("SHOW DATABASES", timeout)) {
      if (!db.equals(row.get("name"))) {
        continue;
      }
      String shown =
          "host "
              + row.get("host")
              + ", port "
              + row.get("port")
              + ", database "
              + row.get("database");
      check(want.get("host"), row.get("host"), "host", db, shown);
      check(want.get("port"), row.get("port"), "port", db, shown);
      check(want.get("dbname"), row.get("database"), "database", db, shown);
      return shown;
    }
    throw new CheckFailed("PgBouncer's SHOW DATABASES has no database " + db + " after RELOAD");
  }

  private static void check(String want, String got, String what, String db, String shown) {
    if (want != null && !want.equals(got)) {
      throw new CheckFailed(
          "after RELOAD PgBouncer still shows "
              + shown
              + " for "
              + db
              + " (expected "
              + what
              + " "
              + want
              + "): is cutover.switch.ini the file this PgBouncer was started with?");
    }
  }

  /**
   * RESUME after a failed step: through {@code admin}, or through a new console session when that
   * one is gone, so that a lost session never leaves the clients paused.
   */
  private void resumeSurely(PgBouncerConsole admin, String db, Duration timeout) {
    try {
      admin.query("RESUME " + ident(db), timeout);
    } catch (IOException gone) {
      try (PgBouncerConsole second = openAdmin(timeout)) {
        resumeQuietly(second, db, timeout);
      } catch (IOException | SQLException | RuntimeException unreachable) {
        // PgBouncer itself is unreachable: its clients are not being served either way
      }
    } catch (SQLException notPaused) {
      // "database is not paused": nothing more to do
    }
  }

  private static void resumeQuietly(PgBouncerConsole admin, String db, Duration timeout) {
    try {
      admin.query("RESUME " + ident(db), timeout);
    } catch (IOException | SQLException notPaused) {
      // "database is not paused", or the session is gone: nothing more to do here
    }
  }

  private static void execute(PgBouncerConsole admin, String command, Duration timeout)
      throws IOException, SQLException {
    admin.query(command, timeout);
  }

  /** PgBouncer console names: plain words go as they are, anything else double-quoted. */
  static String ident(String name) {
    return name.matches("[A-Za-z_][A-Za-z0-9_]*") ? name : '"' + name.replace("\"", "\"\"") + '"';
  }
}
