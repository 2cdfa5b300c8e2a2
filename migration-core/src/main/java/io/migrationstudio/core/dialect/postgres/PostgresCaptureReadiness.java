package io.migrationstudio.core.dialect.postgres;

import io.migrationstudio.core.dialect.CaptureReadiness;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * PostgreSQL's change-capture prerequisites: logical decoding needs {@code wal_level = logical}, a
 * user with REPLICATION (or superuser) for the slot, a free replication slot and WAL sender, and a
 * publication, which needs CREATE on the database and ownership of each table; every table needs a
 * replica identity (its primary key by default), or PostgreSQL refuses UPDATE and DELETE on it once
 * it is published. A slot keeps WAL until its stream confirms it: with {@code
 * max_slot_wal_keep_size = -1} (the default) a stream that stops fills the source's disk.
 */
final class PostgresCaptureReadiness implements CaptureReadiness {
  private final PostgresDialect dialect;
  private final Connection connection;
  private final String schema;

  PostgresCaptureReadiness(PostgresDialect dialect, Connection connection, String schema) {
    this.dialect = dialect;
    this.connection = connection;
    this.schema = schema;
  }

  @Override
  public List<Problem> problems(List<String> tables, OptionalDouble plannedCopySeconds) {
    String step = "reading the change-capture settings of the source";
    try {
      List<Problem> out = new ArrayList<>();
      walLevel(out);
      step = "reading the source user's replication privileges";
      privileges(out, tables);
      step = "counting the source's free replication slots and WAL senders";
      capacity(out);
      step = "reading max_slot_wal_keep_size on the source";
      retention(out);
      step = "reading the replica identity of the tables in scope";
      replicaIdentity(out, tables);
      return out;
    } catch (SQLException e) {
      throw dialect.classify(e, step);
    }
  }

  private void walLevel(List<Problem> out) throws SQLException {
    String level = text("SELECT current_setting('wal_level')");
    if (!"logical".equals(level)) {
      out.add(
          new Problem(
              Prerequisite.LOG_SETTINGS,
              true,
              "wal_level",
              "wal_level is " + level + ", logical decoding needs logical",
              "The source's wal_level is "
                  + level
                  + ": the WAL does not carry what logical decoding needs, so no replication slot"
                  + " can stream its changes.",
              "ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL (it is read at start"
                  + " only); managed services call it rds.logical_replication or"
                  + " cloudsql.logical_decoding"));
    }
  }

  private void privileges(List<Problem> out, List<String> tables) throws SQLException {
    boolean superuser;
    boolean replication;
    String user;
    try (PreparedStatement ps =
            connection.prepareStatement(
                "SELECT current_user, rolsuper, rolreplication FROM pg_roles"
                    + " WHERE rolname = current_user");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      user = rs.getString(1);
      superuser = rs.getBoolean(2);
      replication = rs.getBoolean(3);
    }
    if (superuser) {
      return;
    }
    if (!replication) {
      out.add(
          new Problem(
              Prerequisite.PRIVILEGES,
              true,
              user,
              "The source user " + user + " has no REPLICATION attribute",
              "Creating a logical replication slot and streaming from it needs a role with"
                  + " REPLICATION (or a superuser); "
                  + user
                  + " has neither.",
              "ALTER ROLE " + dialect.quote(user) + " WITH REPLICATION (as a superuser)"));
    }
    boolean create = bool("SELECT has_database_privilege(current_database(), 'CREATE')");
    String database = text("SELECT current_database()");
    List<String> notOwned = new ArrayList<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ANY (?)"
                + " AND NOT pg_has_role(c.relowner, 'USAGE') ORDER BY c.relname")) {
      ps.setString(1, schema);
      ps.setArray(2, names(tables));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          notOwned.add(rs.getString(1));
        }
      }
    }
    if (!create || !notOwned.isEmpty()) {
      out.add(
          new Problem(
              Prerequisite.PRIVILEGES,
              true,
              create ? notOwned.get(0) : database,
              "The source user " + user + " cannot create the publication for the tables",
              "A publication FOR TABLE needs CREATE on the database"
                  + (create ? "" : " (which " + user + " lacks)")
                  + " and ownership of every table in it"
                  + (notOwned.isEmpty()
                      ? ""
                      : "; "
                          + user
                          + " does not own (nor is a member of the owner of) "
                          + notOwned.size()
                          + " table(s): "
                          + shortList(notOwned))
                  + ".",
              (create
                      ? ""
                      : "GRANT CREATE ON DATABASE "
                          + dialect.quote(database)
                          + " TO "
                          + dialect.quote(user)
                          + "; ")
                  + (notOwned.isEmpty()
                      ? ""
                      : "GRANT <owning role> TO "
                          + dialect.quote(user)
                          + " (membership of the tables' owner); ")
                  + "or run the migration as a superuser"));
    }
  }

  private void capacity(List<Problem> out) throws SQLException {
    long slots =
        number(
            "SELECT current_setting('max_replication_slots')::int"
                + " - (SELECT count(*) FROM pg_replication_slots)");
    long senders =
        number(
            "SELECT current_setting('max_wal_senders')::int"
                + " - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'walsender')");
    if (slots < 1) {
      out.add(
          new Problem(
              Prerequisite.CAPACITY,
              true,
              "max_replication_slots",
              "No free replication slot on the source",
              "Every slot allowed by max_replication_slots is taken ("
                  + slots
                  + " free): the migration could not create its slot.",
              "Drop unused slots (SELECT slot_name, active FROM pg_replication_slots;"
                  + " SELECT pg_drop_replication_slot('name')) or raise max_replication_slots and"
                  + " restart"));
    }
    if (senders < 1) {
      out.add(
          new Problem(
              Prerequisite.CAPACITY,
              true,
              "max_wal_senders",
              "No free WAL sender on the source",
              "Every WAL sender allowed by max_wal_senders is busy ("
                  + senders
                  + " free): the stream could not connect.",
              "Raise max_wal_senders and restart, or stop an unused replication connection"));
    }
  }

  private void retention(List<Problem> out) throws SQLException {
    String keep = null;
    try (PreparedStatement ps =
            connection.prepareStatement(
                "SELECT setting FROM pg_settings WHERE name = 'max_slot_wal_keep_size'");
        ResultSet rs = ps.executeQuery()) {
      if (rs.next()) {
        keep = rs.getString(1);
      }
    }
    if (keep == null || "-1".equals(keep)) {
      out.add(
          new Problem(
              Prerequisite.LOG_RETENTION,
              false,
              "max_slot_wal_keep_size",
              "A replication slot may keep WAL without limit",
              "max_slot_wal_keep_size is "
                  + (keep == null ? "not available (before PostgreSQL 13)" : "-1 (unlimited)")
                  + ": the migration's slot keeps every WAL segment until its stream confirms it."
                  + " A stream that stops (a worker down, a migration abandoned with its slot left"
                  + " behind) fills the source's disk and stops the source: the classic way change"
                  + " capture takes a database down.",
              "Set max_slot_wal_keep_size to what the disk can spare (e.g. ALTER SYSTEM SET"
                  + " max_slot_wal_keep_size = '50GB'; SELECT pg_reload_conf()), watch"
                  + " pg_replication_slots (wal_status, restart_lsn) during the migration, and drop"
                  + " a slot left behind"));
    }
  }

  private void replicaIdentity(List<Problem> out, List<String> tables) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT c.relname, c.relreplident,"
                + " EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ANY (?) ORDER BY c.relname")) {
      ps.setString(1, schema);
      ps.setArray(2, names(tables));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String table = rs.getString(1);
          String identity = rs.getString(2);
          boolean pk = rs.getBoolean(3);
          String why =
              switch (identity) {
                case "n" -> "its REPLICA IDENTITY is NOTHING";
                case "d" -> pk ? null : "it has no primary key (REPLICA IDENTITY DEFAULT)";
                default -> null; // USING INDEX or FULL
              };
          if (why == null) {
            continue;
          }
          out.add(
              new Problem(
                  Prerequisite.REPLICA_IDENTITY,
                  true,
                  table,
                  "Table " + table + " has no replica identity",
                  "Table "
                      + table
                      + " cannot identify its rows in the WAL: "
                      + why
                      + ". Once it is in the migration's publication, PostgreSQL refuses UPDATE and"
                      + " DELETE on it (the source's applications would get errors), and the"
                      + " stream could not say which row changed.",
                  "Add a primary key, or ALTER TABLE "
                      + dialect.quote(table)
                      + " REPLICA IDENTITY USING INDEX <a unique index on NOT NULL columns>, or"
                      + " REPLICA IDENTITY FULL (every column logged; slower), or exclude the"
                      + " table"));
        }
      }
    }
  }

  private Array names(List<String> tables) throws SQLException {
    return connection.createArrayOf("text", tables.toArray());
  }

  private String text(String sql) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  private boolean bool(String sql) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private long number(String sql) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String shortList(List<String> names) {
    return names.size() <= 10
        ? String.join(", ", names)
        : String.join(", ", names.subList(0, 10)) + " and " + (names.size() - 10) + " more";
  }
}
