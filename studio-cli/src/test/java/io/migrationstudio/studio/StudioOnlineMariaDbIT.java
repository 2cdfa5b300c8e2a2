package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.cutover.reverse.ReverseStream;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.MariaDbSamples;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.ProbeWriter;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end, {@code migrate.strategy: online} from MariaDB: {@code studio run} of Chinook into
 * PostgreSQL (snake_case names) while a writer changes the source through the copy and after it;
 * the binlog stream carries every change (each server hashes its own rows' text, not through the
 * studio), cdc.json and Validation PASS, and the migration's end leaves no binlog reader connected
 * to the source.
 *
 * <p>Then the way there and back: the run cuts over live (guard triggers on the MariaDB tables,
 * drain to the binlog head, identities from AUTO_INCREMENT, config-file switch) while a {@link
 * ProbeWriter} writes every 10 ms to whichever database the switch names: the window is measured
 * and every acknowledged write is on PostgreSQL. The reverse stream starts at the switch point,
 * before the probe's first write on PostgreSQL (what {@code studio rollback --start-reverse} does,
 * run in process; the cutover does not start it itself yet, so its time is inside the window); the
 * application writes more on PostgreSQL, and {@code studio rollback} brings every write made there
 * to MariaDB (rows compared by each server's own md5, every acknowledged probe write) and unfreezes
 * it.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
@Timeout(900) // 562 s at a load average of 33 on 2 cores
class StudioOnlineMariaDbIT {

  private static final String BRANCH = "migrations/e2e-online-mariadb";

  /** Probe numbers of the writes made on PostgreSQL after the reverse stream started. */
  private static final long AFTER_REVERSE = 1_000_000;

  @Test
  void anOnlineRunFromMariaDbKeepsTheTargetInSyncCutsOverLiveAndRollsBack(
      TestMariaDb source, TestDatabase target, @TempDir Path home) throws Exception {
    long started = System.nanoTime();
    MariaDbSamples.loadChinook(source);
    source.execute(ProbeWriter.createMariaDbTableSql("probe"));
    source.execute("INSERT INTO probe (seq) VALUES (-1), (-2), (-3), (-4), (-5), (-6), (-7), (-8)");
    Path app = home.resolve("app.properties");
    Path spec = home.resolve("migration.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "id: e2e-online-mariadb",
            "source: { url: \"" + source.jdbcUrl() + "\", user: " + source.user() + " }",
            "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
            "mapping: { naming: snake_case }",
            "migrate: { strategy: online, parallelism: 2, chunk_rows: 500 }",
            // a loaded CI machine: the catch-up must not be refused for a slow binlog reader start
            "cutover: { hypercare: PT0S, drill: skip, rto: PT5M, max_lag: PT30S, switch: { type: config-file,"
                + " path: \""
                + app
                + "\" } }",
            ""));
    ProbeWriter.Endpoint src =
        new ProbeWriter.Endpoint("source", source.jdbcUrl(), source.user(), "");
    ProbeWriter.Endpoint tgt =
        new ProbeWriter.Endpoint("target", target.jdbcUrl(), target.user(), "");
    // the reverse stream starts at the switch point, before the application's first write on
    // PostgreSQL (the cutover does not start it itself yet): the operator's `studio rollback
    // --start-reverse`, done by the application's endpoint lookup when it first sees the switch
    Supplier<ProbeWriter.Endpoint> follow = ProbeWriter.followConfigFile(app, src, tgt);
    AtomicLong reverseMillis = new AtomicLong(-1);
    Supplier<ProbeWriter.Endpoint> endpoint =
        () -> {
          ProbeWriter.Endpoint e = follow.get();
          if (e == tgt && reverseMillis.get() < 0) {
            reverseMillis.set(startReverse(spec, home));
          }
          return e;
        };
    ProbeWriter probe = new ProbeWriter("probe", endpoint, Duration.ofMillis(10));
    AtomicBoolean done = new AtomicBoolean();
    // the application writes from the start (drill: skip here: the drill after the cutover
    // approval is tested in LiveCutoverIT and CutoverServiceIT; a drill would move the file)
    probe.start();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger written = new AtomicInteger();
    AtomicInteger afterCopy = new AtomicInteger();
    Thread writer =
        new Thread(() -> write(source, target, stop, written, afterCopy), "source-writer");
    writer.setDaemon(true);
    writer.start();
    String printed;
    try {
      printed = StudioRunIT.runAutoApproved(spec, home);
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (probe.acknowledgedOn("target") < 20 && System.nanoTime() < deadline) {
        pause(50);
      }
    } finally {
      done.set(true);
      stop.set(true);
      writer.join(30_000);
      probe.close();
    }
    long cutOver = System.nanoTime();
    assertTrue(written.get() > 0 && afterCopy.get() > 0, written + " / " + afterCopy);
    assertSameRows(
        source,
        "Artist",
        "ArtistId, Name",
        "CONCAT_WS('|', ArtistId, COALESCE(Name, '-'))",
        target,
        "artist",
        "artist_id, name",
        "concat_ws('|', artist_id, coalesce(name, '-'))");
    assertSameRows(
        source,
        "Album",
        "AlbumId, Title, ArtistId",
        "CONCAT_WS('|', AlbumId, Title, ArtistId)",
        target,
        "album",
        "album_id, title, artist_id",
        "concat_ws('|', album_id, title, artist_id)");
    // the migration's end closed the binlog reader: no dump thread is left on the source
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (source.queryLong(
            "SELECT count(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")
        > 0) {
      assertTrue(System.nanoTime() < deadline, "a binlog reader is still connected to the source");
      Thread.sleep(200);
    }
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      String branch = "migrations/e2e-online-mariadb";
      JsonNode cdc =
          Json.read(
              store.read(branch, "03-migrate/cdc.json").orElseThrow(), JsonNode.class, "cdc.json");
      assertEquals("PASS", cdc.get("verdict").asText(), cdc.toString());
      assertTrue(cdc.get("stream").get("changes").asLong() > 0, cdc.toString());
      JsonNode validation =
          Json.read(
              store.read(branch, "04-validation/validation.json").orElseThrow(),
              JsonNode.class,
              "validation.json");
      assertEquals("PASS", validation.get("status").asText(), validation.toString());
    }
    liveCutover(source, target, probe, printed, home);
    System.out.println("reverse stream started in " + reverseMillis.get() + " ms, in the window");
    long rollback = rollBack(source, target, spec, home, probe);
    System.out.printf(
        "mariadb e2e: run and live cutover %d s, reverse and rollback %d s (rollback_millis %d)%n",
        (cutOver - started) / 1_000_000_000L,
        (System.nanoTime() - cutOver) / 1_000_000_000L,
        rollback);
  }

  /**
   * The live cutover's evidence: the window the probe measured, every acknowledged probe write on
   * PostgreSQL, the cutover log's live section.
   */
  private static ProbeWriter.Window liveCutover(
      TestMariaDb source, TestDatabase target, ProbeWriter probe, String printed, Path home)
      throws Exception {
    long onSource = probe.acknowledgedOn("source");
    long onTarget = probe.acknowledgedOn("target");
    assertTrue(
        onSource > 10,
        "the probe wrote to MariaDB before the freeze: "
            + onSource
            + "; last failure: "
            + probe.lastFailure()
            + "\n"
            + printed);
    assertTrue(
        onTarget >= 20,
        "the probe wrote to PostgreSQL after the switch (its identity was set): "
            + onTarget
            + "; last failure: "
            + probe.lastFailure()
            + "\n"
            + printed);
    ProbeWriter.Window window = probe.window("source", "target").orElseThrow();
    Set<String> onFinal = new HashSet<>(rows(target, "SELECT seq FROM probe"));
    List<Long> lost =
        probe.acknowledged().stream()
            .map(ProbeWriter.Ack::seq)
            .filter(s -> !onFinal.contains(Long.toString(s)))
            .toList();
    assertEquals(List.of(), lost, "every acknowledged probe write is on the final primary");
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      JsonNode log =
          Json.read(
              store.read(BRANCH, "05-cutover/cutover-log.json").orElseThrow(),
              JsonNode.class,
              "cutover-log.json");
      assertEquals("PASS", log.get("verdict").asText(), log.toString());
      JsonNode live = log.get("live");
      assertTrue(live != null && live.get("drain_ms").asLong() >= 0, log.toString());
      System.out.printf(
          "mariadb live cutover: probe window %d ms (last source ack #%d, first target ack #%d),"
              + " studio freeze-to-switch %d ms, lag %d ms, drain %d ms, %d source acks, %d target"
              + " acks, %d refused writes%n",
          window.millis(),
          window.lastOnOld().seq(),
          window.firstOnNew().seq(),
          live.get("write_unavailable_ms").asLong(),
          live.get("lag_ms").asLong(),
          live.get("drain_ms").asLong(),
          onSource,
          onTarget,
          probe.failures());
    }
    return window;
  }

  /**
   * The application's writes on PostgreSQL after the switch (the probe's, a new artist, renamed
   * albums, a key change, a deleted artist, more probe rows), {@code studio rollback}: every one on
   * MariaDB, which takes writes again past every key PostgreSQL used. Returns the rollback's
   * frozen-to-writable time.
   */
  private static long rollBack(
      TestMariaDb source, TestDatabase target, Path spec, Path home, ProbeWriter probe)
      throws Exception {
    target.execute(
        "INSERT INTO artist (artist_id, name) VALUES (900001, 'written on PostgreSQL'),"
            + " (900003, 'deleted on PostgreSQL')",
        "UPDATE album SET title = 'renamed on PostgreSQL' WHERE album_id IN (1, 2, 3)",
        "UPDATE artist SET artist_id = 900002 WHERE artist_id = 900001",
        "DELETE FROM artist WHERE artist_id = 900003");
    for (long i = 1; i <= 20; i++) {
      target.execute("INSERT INTO probe (seq) VALUES (" + (AFTER_REVERSE + i) + ")");
    }
    StudioRunFailureIT.Ran rolled =
        StudioRunFailureIT.studio("rollback", spec.toString(), "--home", home.toString());
    assertEquals(0, rolled.code(), rolled.printed());
    assertTrue(rolled.printed().contains("Verdict: **PASS**"), rolled.printed());
    assertSameRows(
        source,
        "Artist",
        "ArtistId, Name",
        "CONCAT_WS('|', ArtistId, COALESCE(Name, '-'))",
        target,
        "artist",
        "artist_id, name",
        "concat_ws('|', artist_id, coalesce(name, '-'))");
    assertSameRows(
        source,
        "Album",
        "AlbumId, Title, ArtistId",
        "CONCAT_WS('|', AlbumId, Title, ArtistId)",
        target,
        "album",
        "album_id, title, artist_id",
        "concat_ws('|', album_id, title, artist_id)");
    assertSameRows(
        source,
        "probe",
        "seq, id, UNIX_TIMESTAMP(written_at)",
        "CONCAT_WS('|', seq, id, UNIX_TIMESTAMP(written_at))",
        target,
        "probe",
        "seq, id, to_char(extract(epoch FROM written_at), 'FM9999999999.000000')",
        "concat_ws('|', seq, id, to_char(extract(epoch FROM written_at), 'FM9999999999.000000'))");
    Set<String> onMariaDb = new HashSet<>(rows(source, "SELECT seq FROM probe"));
    assertEquals(
        List.of(),
        probe.acknowledged().stream()
            .map(ProbeWriter.Ack::seq)
            .filter(s -> !onMariaDb.contains(Long.toString(s)))
            .toList(),
        "every probe write acknowledged on either side is on MariaDB after the rollback");
    assertEquals(
        20,
        source.queryLong("SELECT count(*) FROM probe WHERE seq > " + AFTER_REVERSE),
        "every probe write made on PostgreSQL after the reverse start is on MariaDB");
    // the application writes on MariaDB again, past every key PostgreSQL used
    source.execute("INSERT INTO probe (seq) VALUES (" + (2 * AFTER_REVERSE) + ")");
    long targetMax = target.queryLong("SELECT max(id) FROM probe");
    assertTrue(
        source.queryLong("SELECT id FROM probe WHERE seq = " + (2 * AFTER_REVERSE)) > targetMax,
        "AUTO_INCREMENT past PostgreSQL's " + targetMax);
    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      JsonNode log =
          Json.read(
              store.read(BRANCH, "05-cutover/rollback-log.json").orElseThrow(),
              JsonNode.class,
              "rollback-log.json");
      assertEquals("PASS", log.get("verdict").asText(), log.toString());
      return log.get("rollback_millis").asLong();
    }
  }

  /**
   * {@code studio rollback --start-reverse}'s work, in process (the run still prints to the
   * captured {@code System.out}): the reverse capture from the switch point, with the mapping on
   * the branch. Returns its duration.
   */
  private static long startReverse(Path spec, Path home) {
    long t0 = System.nanoTime();
    try (Repository r =
        new FileRepositoryBuilder()
            .setGitDir(home.resolve("artifacts").resolve("remote.git").toFile())
            .build()) {
      var id = r.resolve("refs/heads/" + BRANCH + ":" + ArtifactPaths.MAPPING_YAML);
      byte[] yaml = r.open(id).getBytes();
      MigrationSpec s = SpecLoader.parse(SpecLoader.read(spec));
      new ReverseStream((value, key) -> value)
          .prepare(s, MappingLoader.read(yaml, ArtifactPaths.MAPPING_YAML), s.id());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /** Whether the branch holds the drill's record (read without opening the studio's store). */
  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void write(
      TestMariaDb source,
      TestDatabase target,
      AtomicBoolean stop,
      AtomicInteger written,
      AtomicInteger afterCopy) {
    try (Connection c = source.connect()) {
      c.setAutoCommit(false);
      long copyDoneAt = 0;
      for (int i = 1; !stop.get(); i++) {
        try (Statement s = c.createStatement()) {
          int id = 100_000 + i;
          s.execute("INSERT INTO Artist (ArtistId, Name) VALUES (" + id + ", 'writer " + i + "')");
          s.execute(
              "UPDATE Album SET Title = CONCAT(LEFT(Title, 150), ' #"
                  + i
                  + "') WHERE AlbumId = "
                  + (i % 340 + 1));
          if (i % 5 == 0) {
            s.execute("DELETE FROM Artist WHERE ArtistId = " + (id - 3));
          }
          if (i % 7 == 0) {
            s.execute(
                "UPDATE Artist SET ArtistId = ArtistId + 500000 WHERE ArtistId = " + (id - 1));
          }
          c.commit();
          written.incrementAndGet();
        }
        if (copyDoneAt == 0 && copied(target)) {
          copyDoneAt = System.nanoTime();
        }
        if (copyDoneAt != 0) {
          afterCopy.incrementAndGet();
          if (System.nanoTime() - copyDoneAt > 3_000_000_000L) {
            return;
          }
        }
        Thread.sleep(20);
      }
    } catch (SQLException | InterruptedException e) {
      throw new IllegalStateException("the source writer failed", e);
    }
  }

  private static boolean copied(TestDatabase target) {
    try {
      return target.queryLong(
              "SELECT count(*) FROM pg_constraint WHERE contype = 'p'"
                  + " AND conrelid = to_regclass('public.artist')")
          > 0;
    } catch (RuntimeException notYet) {
      return false;
    }
  }

  /**
   * The table's rows hash the same on both servers: each computes the md5 of its rows' text (the
   * columns joined by |, in the order of the first column, the key) itself; the rows are compared
   * one by one for the message.
   */
  private static void assertSameRows(
      TestMariaDb source,
      String sourceTable,
      String sourceColumns,
      String sourceText,
      TestDatabase target,
      String targetTable,
      String targetColumns,
      String targetText)
      throws SQLException {
    assertSameRows(
        source,
        sourceTable,
        sourceColumns,
        sourceText,
        target,
        targetTable,
        targetColumns,
        targetText,
        null);
  }

  /** The same for the rows {@code where} (a {@code FROM table WHERE ...} tail; null: all). */
  private static void assertSameRows(
      TestMariaDb source,
      String sourceTable,
      String sourceColumns,
      String sourceText,
      TestDatabase target,
      String targetTable,
      String targetColumns,
      String targetText,
      String where)
      throws SQLException {
    String sourceFrom = where != null ? where : " FROM " + sourceTable;
    String targetFrom = where != null ? where : " FROM " + targetTable;
    String want =
        one(
            source,
            "SELECT CONCAT(count(*), ':', md5(GROUP_CONCAT("
                + sourceText
                + " ORDER BY "
                + sourceColumns.split(",")[0]
                + " SEPARATOR '\\n')))"
                + sourceFrom);
    String got =
        one(
            target,
            "SELECT count(*) || ':' || md5(string_agg("
                + targetText
                + ", E'\\n' ORDER BY "
                + targetColumns.split(",")[0]
                + "))"
                + targetFrom);
    if (!want.equals(got)) {
      assertEquals(
          rows(source, "SELECT " + sourceColumns + sourceFrom),
          rows(target, "SELECT " + targetColumns + targetFrom),
          sourceTable + ": " + want + " on the source, " + got + " on the target");
    }
    assertEquals(want, got, sourceTable);
  }

  private static String one(TestMariaDb db, String sql) throws SQLException {
    try (Connection c = db.connect()) {
      return rows(c, sql).get(0);
    }
  }

  private static String one(TestDatabase db, String sql) throws SQLException {
    try (Connection c = db.connect()) {
      return rows(c, sql).get(0);
    }
  }

  private static List<String> rows(TestMariaDb db, String sql) throws SQLException {
    try (Connection c = db.connect()) {
      return rows(c, sql);
    }
  }

  private static List<String> rows(TestDatabase db, String sql) throws SQLException {
    try (Connection c = db.connect()) {
      return rows(c, sql);
    }
  }

  /** Every row as its columns' text joined by |, sorted. */
  private static List<String> rows(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          sb.append(i == 1 ? "" : "|").append(rs.getString(i));
        }
        out.add(sb.toString());
      }
    }
    out.sort(null);
    return out;
  }
}
