package io.migrationstudio.core.dialect.postgres;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.core.cdc.ChangeCapture;
import io.migrationstudio.core.cdc.ChangeSource;
import io.migrationstudio.core.cdc.ChunkSnapshot;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.dialect.Sessions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * PostgreSQL change capture: logical decoding with the built-in {@code pgoutput} plugin.
 *
 * <ul>
 *   <li>{@link #prepare}: a publication {@code FOR TABLE} the tables in scope, then a logical
 *       replication slot of the same name. The slot is created before any chunk is read: it keeps
 *       every change committed after its consistent point, and creating it waits for the
 *       transactions running at that moment, so a chunk snapshot taken later sees (has copied)
 *       every transaction the slot does not stream. The publication comes first because pgoutput
 *       looks it up at each decoded change.
 *   <li>{@link #beginChunkRead}: a {@code REPEATABLE READ, READ ONLY} transaction whose snapshot
 *       ({@code pg_current_snapshot()}) the ledger records, so the applier can tell for each
 *       streamed transaction whether the chunk already copied it.
 *   <li>{@link #open}: a walsender stream ({@link PgChangeStream}) that never confirms on its own.
 *   <li>{@link #drop}: slot (ending a walsender that holds it) and publication.
 * </ul>
 *
 * The slot retains WAL from its confirmed position on: it must be dropped when the migration ends.
 */
public final class PostgresChangeCapture implements ChangeCapture {
  /** PostgreSQL's rule for slot names; publication names use the same one here. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,63}");

  /** How long {@link #drop} waits for a terminated walsender to release its slot. */
  static final long RELEASE_WAIT_MILLIS = 10_000;

  private static final com.fasterxml.jackson.databind.ObjectMapper SHAPES =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** The key of the columns record in the publication's comment. */
  private static final String SHAPES_KEY = "studio_captured_columns";

  /** The prefix of the messages {@link #emitHeartbeat} writes. */
  public static final String MESSAGE_PREFIX = "studio";

  /**
   * A valid slot and publication name for a migration id: {@code studio_} and the id in lower case
   * with every other character as {@code _}; an id too long for 63 characters is cut and ends with
   * a hash of the whole id, so two ids never share a name by the cut.
   */
  public static String captureName(String migrationId) {
    String name = "studio_" + migrationId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (name.length() <= 63 && name.equals("studio_" + migrationId)) {
      return name;
    }
    String hash = sha256Hex(migrationId).substring(0, 10);
    return name.substring(0, Math.min(name.length(), 63 - 11)) + "_" + hash;
  }

  /** Checks {@code name} is a valid slot name; the message names the rule. */
  static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "change capture name '"
              + name
              + "' is not a valid PostgreSQL replication slot name: use 1 to 63 characters of"
              + " a-z, 0-9 and _ (PostgresChangeCapture.captureName derives one from a migration"
              + " id)");
    }
    return name;
  }

  /**
   * {@link #prepare(Connection, String, String, List)} with the tables named in the session's
   * {@code current_schema()}.
   */
  @Override
  public StreamPosition prepare(Connection source, String name, List<String> tables)
      throws SQLException {
    return prepare(source, currentSchema(source), name, tables);
  }

  /**
   * Creates publication and slot {@code name} for {@code tables} (named in {@code schema} as the
   * mapping names them: unqualified; a table of another schema as {@code schema.table}), or keeps
   * them when they exist for the same tables. Returns the slot's confirmed position (its consistent
   * point when new). Needs REPLICATION (or superuser) for the slot and CREATE on the database (or
   * ownership of the tables) for the publication; the session may be read-only, the two statements
   * run read-write.
   */
  public StreamPosition prepare(Connection source, String schema, String name, List<String> tables)
      throws SQLException {
    checkName(name);
    if (tables.isEmpty()) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "change capture " + name + " has no tables in scope: a publication needs at least one");
    }
    List<String> qualified = new ArrayList<>();
    for (String t : tables) {
      qualified.add(resolve(source, schema, t));
    }
    return writable(
        source,
        () -> {
          ensurePublication(source, name, qualified);
          return ensureSlot(source, name);
        });
  }

  @Override
  public ChunkSnapshot beginChunkRead(Connection source) throws SQLException {
    Sessions.beginTransaction(source, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    // the first statement of a REPEATABLE READ transaction takes its snapshot: this one
    return ChunkSnapshot.PgSnapshot.parse(
        io.migrationstudio.core.dialect.Dialect.queryString(
            source, "SELECT pg_current_snapshot()::text"));
  }

  /**
   * A temporary logical slot created with {@code SNAPSHOT 'export'} on a walsender connection: its
   * exported snapshot holds exactly the transactions whose commit lies before the slot's consistent
   * point (logical decoding builds it so; a {@code pg_current_snapshot()} with {@code
   * pg_current_wal_insert_lsn()} could not promise that, since transactions become visible in
   * another order than their commit records are written). {@code reader} imports it in a {@code
   * REPEATABLE READ, READ ONLY} transaction, then the slot goes with its connection. A streamed
   * transaction's position is the end of its commit record, so the snapshot holds every transaction
   * at or below the consistent point and none after it. Needs a free replication slot and wal
   * sender for a moment.
   */
  @Override
  public java.util.Optional<StreamPosition> beginPositionedRead(
      ConnectionSpec source, Secrets secrets, Connection reader) throws SQLException {
    String slot =
        "studio_validate_"
            + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 1);
    try (Connection walsender = PgChangeStream.replicationConnection(source, secrets);
        Statement st = walsender.createStatement();
        ResultSet rs =
            st.executeQuery(
                "CREATE_REPLICATION_SLOT "
                    + slot
                    + " TEMPORARY LOGICAL pgoutput (SNAPSHOT 'export')")) {
      rs.next();
      StreamPosition at = StreamPosition.PgLsn.parse(rs.getString("consistent_point"));
      String snapshot = rs.getString("snapshot_name");
      Sessions.beginTransaction(
          reader, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      Sessions.execute(reader, "SET TRANSACTION SNAPSHOT '" + snapshot.replace("'", "''") + "'");
      return java.util.Optional.of(at);
    }
  }

  /**
   * {@code pg_current_wal_insert_lsn()}: unlike {@code pg_current_wal_lsn()} it is not behind the
   * last commit when {@code synchronous_commit} is off.
   */
  /**
   * The WAL the slot keeps on the source's disk: from its {@code restart_lsn} to the current insert
   * position (the same end as {@link #head}; {@code pg_current_wal_lsn()} lags behind it under
   * {@code synchronous_commit = off}). Empty when the slot is gone.
   */
  @Override
  public java.util.Optional<Long> retainedBytes(
      Connection source, String name, StreamPosition applied) throws SQLException {
    try (java.sql.PreparedStatement ps =
        source.prepareStatement(
            "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), restart_lsn)::bigint"
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, name);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getObject(1) == null) {
          return java.util.Optional.empty();
        }
        return java.util.Optional.of(Math.max(0, rs.getLong(1)));
      }
    }
  }

  /**
   * The WAL the slot retains ({@link #retainedBytes}), with a warning by {@link #walWarning}: read
   * with the slot's {@code wal_status} and the server's {@code max_slot_wal_keep_size}.
   */
  @Override
  public java.util.Optional<io.migrationstudio.core.cdc.LogRetention> retention(
      Connection source,
      String name,
      StreamPosition applied,
      io.migrationstudio.core.cdc.LogRetention.Limits limits)
      throws SQLException {
    try (java.sql.PreparedStatement ps =
        source.prepareStatement(
            "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), restart_lsn)::bigint,"
                + " wal_status,"
                + " (SELECT setting::bigint FROM pg_settings"
                + " WHERE name = 'max_slot_wal_keep_size')"
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, name);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return java.util.Optional.empty();
        }
        Long bytes = rs.getObject(1) == null ? null : Math.max(0, rs.getLong(1));
        long keepMb = rs.getObject(3) == null ? -1 : rs.getLong(3);
        return java.util.Optional.of(
            new io.migrationstudio.core.cdc.LogRetention(
                bytes,
                walWarning(name, bytes, rs.getString(2), keepMb, limits.maxRetainedWalBytes())
                    .orElse(null)));
      }
    }
  }

  /**
   * When the WAL slot {@code slot} retains puts the source at risk: its {@code wal_status} is
   * {@code lost} (WAL it needs was removed: the stream cannot resume) or {@code unreserved} (it
   * retains more than {@code max_slot_wal_keep_size}: the next checkpoint may invalidate it), or it
   * retains more than the bound: {@code maxRetainedWalBytes} ({@code
   * migrate.max_retained_wal_bytes}) or, when the server bounds slots ({@code keepSizeMb} >= 0, in
   * MB), half of that bound if lower, so the warning comes before the slot is invalidated.
   */
  static java.util.Optional<String> walWarning(
      String slot, Long retained, String walStatus, long keepSizeMb, long maxRetainedWalBytes) {
    String next =
        "; the stream is stopped or far behind: see `studio status` and the migrate workers' logs,"
            + " or cancel the migration to drop the slot";
    if ("lost".equals(walStatus)) {
      return java.util.Optional.of(
          "replication slot "
              + slot
              + " has lost WAL it needs (wal_status lost, past max_slot_wal_keep_size): the stream"
              + " cannot resume; cancel the migration (it drops the slot) and migrate again");
    }
    if ("unreserved".equals(walStatus)) {
      return java.util.Optional.of(
          "replication slot "
              + slot
              + " retains "
              + (retained == null ? "more WAL" : retained + " bytes of WAL,")
              + " more than max_slot_wal_keep_size ("
              + keepSizeMb
              + " MB; wal_status unreserved): the next checkpoint may remove WAL it needs and"
              + " invalidate it"
              + next);
    }
    long bound = maxRetainedWalBytes;
    String rule = "migrate.max_retained_wal_bytes";
    if (keepSizeMb >= 0 && keepSizeMb * 1024 * 1024 / 2 < bound) {
      bound = keepSizeMb * 1024 * 1024 / 2;
      rule =
          "half of the source's max_slot_wal_keep_size = "
              + keepSizeMb
              + " MB, past which the"
              + " slot is invalidated";
    }
    if (retained != null && retained > bound) {
      return java.util.Optional.of(
          "replication slot "
              + slot
              + " retains "
              + retained
              + " bytes of WAL on the source's disk, above "
              + bound
              + " ("
              + rule
              + ")"
              + next);
    }
    return java.util.Optional.empty();
  }

  @Override
  public StreamPosition head(Connection source) throws SQLException {
    return StreamPosition.PgLsn.parse(
        io.migrationstudio.core.dialect.Dialect.queryString(
            source, "SELECT pg_current_wal_insert_lsn()::text"));
  }

  @Override
  public ChangeSource open(
      ConnectionSpec source, Secrets secrets, String name, List<String> tables, StreamPosition from)
      throws SQLException {
    checkName(name);
    return PgChangeStream.open(
        source, secrets, name, Dialects.schemaOf(source), (StreamPosition.PgLsn) from);
  }

  /**
   * Writes a logical message ({@code pg_logical_emit_message(true, 'studio', payload)}): it arrives
   * in every stream as an empty transaction of its own, so lag stays measurable while the source is
   * idle, and its position marks an end the applier can wait for. Returns the message's position
   * (the transaction's commit, which the stream reports, ends after it).
   */
  public StreamPosition emitHeartbeat(Connection source) throws SQLException {
    return emitHeartbeat(source, "heartbeat");
  }

  /** A logical message labelled {@code label}: it arrives as its own transaction after the call. */
  @Override
  public StreamPosition endMarker(Connection source, String label) throws SQLException {
    return emitHeartbeat(source, label);
  }

  /** {@link #emitHeartbeat(Connection)} with a payload of the caller's (an end marker's id). */
  public StreamPosition emitHeartbeat(Connection source, String payload) throws SQLException {
    return writable(
        source,
        () -> {
          try (PreparedStatement ps =
              source.prepareStatement("SELECT pg_logical_emit_message(true, ?, ?)::text")) {
            ps.setString(1, MESSAGE_PREFIX);
            ps.setString(2, payload);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return StreamPosition.PgLsn.parse(rs.getString(1));
            }
          }
        });
  }

  @Override
  public void drop(Connection source, String name) throws SQLException {
    checkName(name);
    writable(
        source,
        () -> {
          dropSlot(source, name);
          Sessions.execute(source, "DROP PUBLICATION IF EXISTS " + name);
          return null;
        });
  }

  @Override
  public List<String> leftovers(Connection c, String name) throws SQLException {
    List<String> out = new java.util.ArrayList<>();
    try (java.sql.PreparedStatement ps =
        c.prepareStatement(
            "SELECT 'slot ' || slot_name FROM pg_replication_slots WHERE slot_name = ?"
                + " AND database = current_database()"
                + " UNION ALL SELECT 'publication ' || pubname FROM pg_publication"
                + " WHERE pubname = ?")) {
      ps.setString(1, name);
      ps.setString(2, name);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private static void ensurePublication(Connection c, String name, List<String> qualified)
      throws SQLException {
    Optional<TreeSet<String>> existing = publicationTables(c, name);
    TreeSet<String> wanted = new TreeSet<>(qualified);
    if (existing.isEmpty()) {
      // publication and its record of the columns in one transaction: a publication that exists
      // always has its record
      c.setAutoCommit(false);
      try {
        // a partitioned table's changes are published under its own name, as the mapping names
        // it, not under the partition's
        Sessions.execute(
            c,
            "CREATE PUBLICATION "
                + name
                + " FOR TABLE "
                + String.join(", ", wanted)
                + " WITH (publish_via_partition_root = true)");
        recordShapes(c, name);
        c.commit();
      } finally {
        if (!c.getAutoCommit()) {
          c.rollback(); // nothing after a commit; the failed statements otherwise
          c.setAutoCommit(true);
        }
      }
    } else if (!existing.get().equals(wanted)) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "publication "
              + name
              + " exists for tables "
              + existing.get()
              + " but this migration captures "
              + wanted
              + ": another migration with the same name, or the scope changed since it was"
              + " created; drop the capture (slot and publication "
              + name
              + ") or keep the scope");
    }
  }

  /**
   * Keeps the columns of the publication's tables, as pgoutput describes them (name, type oid,
   * typmod; no dropped or generated columns), in the publication's comment: the definition the copy
   * starts from, which every stream of this capture checks the tables' Relation messages against.
   */
  private static void recordShapes(Connection c, String name) throws SQLException {
    List<Map<String, Object>> tables = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT n.nspname, c.relname, a.attname, a.atttypid::bigint, a.atttypmod"
                + " FROM pg_publication p JOIN pg_publication_rel pr ON pr.prpubid = p.oid"
                + " JOIN pg_class c ON c.oid = pr.prrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " JOIN pg_attribute a ON a.attrelid = c.oid"
                + " WHERE p.pubname = ? AND a.attnum > 0 AND NOT a.attisdropped"
                + " AND a.attgenerated = '' ORDER BY n.nspname, c.relname, a.attnum")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        Map<String, Object> table = null;
        while (rs.next()) {
          if (table == null
              || !table.get("schema").equals(rs.getString(1))
              || !table.get("table").equals(rs.getString(2))) {
            table = new LinkedHashMap<>();
            table.put("schema", rs.getString(1));
            table.put("table", rs.getString(2));
            table.put("columns", new ArrayList<List<Object>>());
            tables.add(table);
          }
          @SuppressWarnings("unchecked")
          List<List<Object>> columns = (List<List<Object>>) table.get("columns");
          columns.add(List.of(rs.getString(3), rs.getLong(4), rs.getInt(5)));
        }
      }
    }
    String json;
    try {
      json = SHAPES.writeValueAsString(Map.of(SHAPES_KEY, tables));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write the captured tables' columns as JSON", e);
    }
    String literal;
    try (PreparedStatement ps = c.prepareStatement("SELECT quote_literal(?)")) {
      ps.setString(1, json);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        literal = rs.getString(1);
      }
    }
    Sessions.execute(c, "COMMENT ON PUBLICATION " + name + " IS " + literal);
  }

  /**
   * The columns {@link #recordShapes} kept for publication {@code name}, told to {@code decoder};
   * nothing when the publication has no such comment.
   */
  static void expectRecordedShapes(Connection c, String name, PgOutputDecoder decoder)
      throws SQLException {
    String json;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT obj_description(oid, 'pg_publication') FROM pg_publication WHERE pubname = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        json = rs.next() ? rs.getString(1) : null;
      }
    }
    if (json == null || !json.contains(SHAPES_KEY)) {
      return;
    }
    try {
      for (com.fasterxml.jackson.databind.JsonNode t : SHAPES.readTree(json).get(SHAPES_KEY)) {
        List<PgOutputDecoder.Column> columns = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode col : t.get("columns")) {
          columns.add(
              new PgOutputDecoder.Column(
                  col.get(0).asText(), (int) col.get(1).asLong(), col.get(2).asInt(), false));
        }
        decoder.expect(t.get("schema").asText(), t.get("table").asText(), columns);
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "the comment of publication "
              + name
              + " is not the studio's record of its tables' columns: "
              + e.getOriginalMessage()
              + "; drop the capture and prepare it again",
          e);
    }
  }

  /** The quoted qualified tables of publication {@code name}, empty when it does not exist. */
  private static Optional<TreeSet<String>> publicationTables(Connection c, String name)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT p.puballtables, quote_ident(t.schemaname) || '.' || quote_ident(t.tablename)"
                + " FROM pg_publication p LEFT JOIN pg_publication_tables t"
                + " ON t.pubname = p.pubname WHERE p.pubname = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        TreeSet<String> tables = null;
        while (rs.next()) {
          tables = tables == null ? new TreeSet<>() : tables;
          if (rs.getBoolean(1)) {
            tables.add("ALL TABLES");
          } else if (rs.getString(2) != null) {
            tables.add(rs.getString(2));
          }
        }
        return Optional.ofNullable(tables);
      }
    }
  }

  private static StreamPosition ensureSlot(Connection c, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT plugin, database, confirmed_flush_lsn::text FROM pg_replication_slots"
                + " WHERE slot_name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          String database = c.getCatalog();
          if (!"pgoutput".equals(rs.getString(1)) || !database.equals(rs.getString(2))) {
            throw new MigrationException(
                ErrorCode.INVALID_SPEC,
                "replication slot "
                    + name
                    + " exists for plugin "
                    + rs.getString(1)
                    + " on database "
                    + rs.getString(2)
                    + ", not pgoutput on "
                    + database
                    + ": it is not this migration's; drop it or choose another migration id");
          }
          return StreamPosition.PgLsn.parse(rs.getString(3));
        }
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return StreamPosition.PgLsn.parse(rs.getString(1));
      }
    }
  }

  /**
   * Drops slot {@code name} if it exists. A walsender still streaming from it is terminated first
   * (the slot cannot be dropped while active); its client sees its connection end.
   */
  private static void dropSlot(Connection c, String name) throws SQLException {
    long deadline = System.currentTimeMillis() + RELEASE_WAIT_MILLIS;
    while (true) {
      Integer activePid = null;
      try (PreparedStatement ps =
          c.prepareStatement("SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return;
          }
          activePid = (Integer) rs.getObject(1);
        }
      }
      if (activePid == null) {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
          ps.setString(1, name);
          ps.execute();
          return;
        } catch (SQLException e) {
          // 42704: dropped meanwhile; 55006: a walsender took it again meanwhile
          if ("42704".equals(e.getSQLState())) {
            return;
          }
          if (!"55006".equals(e.getSQLState()) || System.currentTimeMillis() > deadline) {
            throw e;
          }
        }
      } else {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
          ps.setInt(1, activePid);
          ps.execute();
        }
        if (System.currentTimeMillis() > deadline) {
          throw new MigrationException(
              ErrorCode.TRANSIENT_SQL,
              "replication slot "
                  + name
                  + " is still held by backend "
                  + activePid
                  + " after it was terminated "
                  + RELEASE_WAIT_MILLIS / 1000
                  + " s ago; drop it again (pg_drop_replication_slot('"
                  + name
                  + "'))");
        }
      }
      sleep(100);
    }
  }

  /**
   * {@code table} of {@code schema} (or {@code schema.table} of another schema) as a quoted
   * qualified name; an error naming it when there is no such table.
   */
  private static String resolve(Connection c, String schema, String table) throws SQLException {
    String sql =
        "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'p') AND ((n.nspname = ? AND c.relname = ?)"
            + " OR n.nspname || '.' || c.relname = ?) ORDER BY n.nspname <> ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      ps.setString(2, table);
      ps.setString(3, table);
      ps.setString(4, schema);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new MigrationException(
              ErrorCode.MISSING_OBJECT,
              "table "
                  + table
                  + " to capture does not exist in schema "
                  + schema
                  + " of the source: check the mapping's source names");
        }
        return rs.getString(1);
      }
    }
  }

  private static String currentSchema(Connection c) throws SQLException {
    return io.migrationstudio.core.dialect.Dialect.queryString(c, "SELECT current_schema()");
  }

  @FunctionalInterface
  private interface Work<T> {
    T run() throws SQLException;
  }

  /**
   * Runs {@code work} in autocommit, read-write (slot creation must be the first statement of its
   * transaction; the source session is usually read-only), and restores the session after: the only
   * writes to the source, and only to its catalog.
   */
  private static <T> T writable(Connection c, Work<T> work) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    if (!autoCommit) {
      c.rollback();
      c.setAutoCommit(true);
    }
    boolean readOnly =
        "on"
            .equals(
                io.migrationstudio.core.dialect.Dialect.queryString(
                    c, "SELECT current_setting('default_transaction_read_only')"));
    if (readOnly) {
      Sessions.execute(c, "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE");
    }
    // pgjdbc begins a read-only connection's explicit transactions with BEGIN READ ONLY
    boolean driverReadOnly = c.isReadOnly();
    c.setReadOnly(false);
    try {
      return work.run();
    } finally {
      c.setReadOnly(driverReadOnly);
      if (readOnly) {
        Sessions.execute(c, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
      }
      c.setAutoCommit(autoCommit);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MigrationException(ErrorCode.INTERNAL, "interrupted while dropping a slot", e);
    }
  }

  private static String sha256Hex(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder();
      for (byte b : d) {
        sb.append(String.format("%02x", b));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
