package io.migrationstudio.core.copy;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.report.Json;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * One live migration per target: a row in the target's studio schema, {@code
 * <studio>.migration_lock}, naming the migration that writes the target (its id, branch, the
 * process and studio home that took it, a hash of its spec, since when).
 *
 * <p>The table holds at most one row (its primary key is a constant), so of two takers racing on an
 * empty table the unique constraint lets exactly one insert win; the other reads the winner and is
 * refused ({@link ErrorCode#TARGET_LOCKED}, not retried) with a message naming it and how to
 * release it. The same migration id taking it again (a retried activity, a resumed run, another
 * worker) succeeds and records the new process. Taking runs in its own transaction, serialised with
 * a transaction-scoped advisory lock so concurrent {@code CREATE ... IF NOT EXISTS} of the schema
 * and table cannot collide.
 *
 * <p>Migrate takes the lock when it first prepares the target, before any row is written; the
 * migration releases it when it ends (completed, failed, rejected). A holder that crashed leaves
 * its row: {@code studio unlock SPEC --holder ID} shows and releases it. Unlike an advisory lock,
 * the row survives restarts of the target and of the workers, which a migration that runs for days
 * needs.
 */
public final class TargetLock {
  /** The lock table's name inside the studio schema. */
  public static final String TABLE = "migration_lock";

  /** System property naming the studio home of this process, recorded in the lock (optional). */
  public static final String HOME_PROPERTY = "studio.home";

  /** First key of the advisory lock that serialises takers ("STUD"), as the run lock uses. */
  private static final int STUDIO_KEY = 0x53545544;

  private static final PostgresDialect TARGET = new PostgresDialect();

  private final String studioSchema;

  public TargetLock(String studioSchema) {
    this.studioSchema = Objects.requireNonNull(studioSchema);
  }

  /** Who holds (or wants) the lock. */
  public record Holder(
      String migration, String branch, String process, String specHash, Instant takenAt) {
    public Holder {
      Objects.requireNonNull(migration, "migration is required");
    }

    /** {@code migration X (branch B) taken by P since T}. */
    public String describe() {
      return "migration "
          + migration
          + (branch == null ? "" : " (branch " + branch + ")")
          + (process == null ? "" : ", taken by " + process)
          + (takenAt == null ? "" : " since " + takenAt)
          + (specHash == null ? "" : ", spec " + specHash);
    }
  }

  /** The holder this process would record for {@code spec}'s migration {@code migrationId}. */
  public static Holder holderFor(MigrationSpec spec, String migrationId) {
    return new Holder(migrationId, TaskQueues.branch(migrationId), process(), specHash(spec), null);
  }

  /** {@code pid N on HOST} and the studio home when this process names one. */
  public static String process() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    String home = System.getProperty(HOME_PROPERTY);
    return "pid "
        + ProcessHandle.current().pid()
        + " on "
        + host
        + (home == null || home.isBlank() ? "" : " (home " + home + ")");
  }

  /** The first 12 hex digits of SHA-256 over the spec's JSON (secrets are references there). */
  static String specHash(MigrationSpec spec) {
    if (spec == null) {
      return null;
    }
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(Json.writeCompact(spec).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /**
   * Takes the lock for {@code wanted.migration()}, or refuses with {@link ErrorCode#TARGET_LOCKED}
   * naming the holder. Idempotent for the same migration id. Commits its own transaction; the
   * connection's auto-commit mode is restored.
   */
  public Holder acquire(Connection tgt, Holder wanted) throws SQLException {
    boolean auto = tgt.getAutoCommit();
    tgt.setAutoCommit(false);
    try {
      try (PreparedStatement ps = tgt.prepareStatement("SELECT pg_advisory_xact_lock(?, ?)")) {
        ps.setInt(1, STUDIO_KEY);
        ps.setInt(2, (studioSchema + "." + TABLE).hashCode());
        ps.execute();
      }
      try (Statement s = tgt.createStatement()) {
        for (String ddl : ddl()) {
          s.execute(ddl);
        }
      }
      try (PreparedStatement ps =
          tgt.prepareStatement(
              "INSERT INTO "
                  + table()
                  + " (migration, branch, process, spec_hash) VALUES (?, ?, ?, ?)"
                  + " ON CONFLICT (slot) DO NOTHING")) {
        ps.setString(1, wanted.migration());
        ps.setString(2, wanted.branch());
        ps.setString(3, wanted.process());
        ps.setString(4, wanted.specHash());
        ps.executeUpdate();
      }
      Holder holder = read(tgt, true).orElseThrow();
      if (!holder.migration().equals(wanted.migration())) {
        tgt.rollback();
        throw refused(wanted.migration(), holder);
      }
      try (PreparedStatement ps =
          tgt.prepareStatement(
              "UPDATE " + table() + " SET process = ?, spec_hash = ? WHERE migration = ?")) {
        ps.setString(1, wanted.process());
        ps.setString(2, wanted.specHash());
        ps.setString(3, wanted.migration());
        ps.executeUpdate();
      }
      tgt.commit();
      return new Holder(
          holder.migration(),
          holder.branch(),
          wanted.process(),
          wanted.specHash(),
          holder.takenAt());
    } catch (SQLException | RuntimeException e) {
      tgt.rollback();
      throw e;
    } finally {
      tgt.setAutoCommit(auto);
    }
  }

  /** The holder, if any (empty when the studio schema or its lock table does not exist). */
  public Optional<Holder> holder(Connection tgt) throws SQLException {
    return exists(tgt) ? read(tgt, false) : Optional.empty();
  }

  /**
   * Releases the lock if {@code migrationId} holds it; true when a row was removed. Creates
   * nothing: a target the migration never prepared is left as it is.
   */
  public boolean release(Connection tgt, String migrationId) throws SQLException {
    if (!exists(tgt)) {
      return false;
    }
    try (PreparedStatement ps =
        tgt.prepareStatement("DELETE FROM " + table() + " WHERE migration = ?")) {
      ps.setString(1, migrationId);
      boolean removed = ps.executeUpdate() > 0;
      if (!tgt.getAutoCommit()) {
        tgt.commit();
      }
      return removed;
    }
  }

  /** The lock table's DDL; idempotent. */
  java.util.List<String> ddl() {
    return java.util.List.of(
        "CREATE SCHEMA IF NOT EXISTS " + TARGET.quote(studioSchema),
        "CREATE TABLE IF NOT EXISTS "
            + table()
            + " (\n"
            + "  slot boolean PRIMARY KEY DEFAULT true CHECK (slot),\n"
            + "  migration text NOT NULL,\n"
            + "  branch text,\n"
            + "  process text,\n"
            + "  spec_hash text,\n"
            + "  taken_at timestamptz NOT NULL DEFAULT now()\n"
            + ")");
  }

  private String table() {
    return TARGET.quote(studioSchema) + "." + TARGET.quote(TABLE);
  }

  private boolean exists(Connection tgt) throws SQLException {
    try (PreparedStatement ps = tgt.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, table());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private Optional<Holder> read(Connection tgt, boolean forUpdate) throws SQLException {
    try (Statement s = tgt.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT migration, branch, process, spec_hash, taken_at FROM "
                    + table()
                    + (forUpdate ? " FOR UPDATE" : ""))) {
      return rs.next() ? Optional.of(holder(rs)) : Optional.empty();
    }
  }

  private static Holder holder(ResultSet rs) throws SQLException {
    Timestamp at = rs.getTimestamp(5);
    return new Holder(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        at == null ? null : at.toInstant());
  }

  private MigrationException refused(String wanted, Holder holder) {
    return new MigrationException(
        ErrorCode.TARGET_LOCKED,
        "migration "
            + wanted
            + " cannot write its target: "
            + holder.describe()
            + " holds it (table "
            + studioSchema
            + "."
            + TABLE
            + "; one live migration per target). Wait for that migration to end (it releases"
            + " the lock), or, if it is no longer running (its process crashed), release the lock"
            + " with `studio unlock SPEC --holder "
            + holder.migration()
            + "` (SPEC: any spec of this target) and start again. Nothing was written.");
  }
}
