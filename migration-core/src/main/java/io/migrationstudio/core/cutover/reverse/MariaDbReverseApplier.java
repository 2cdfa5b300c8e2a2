package io.migrationstudio.core.cutover.reverse;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.cdc.ChangeKind;
import io.migrationstudio.core.cdc.RowChange;
import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.cdc.apply.ChangeApplier;
import io.migrationstudio.core.cdc.apply.RowChanges;
import io.migrationstudio.core.cdc.apply.StreamPositions;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.cutover.FinalCheck;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.mariadb.MariaDbApplierSession;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The reverse applier on a MariaDB/MySQL source: the target's (PostgreSQL's) changes, converted
 * back into the source's types through the inverted mapping, applied by key, exactly once.
 *
 * <p><b>Exactly once.</b> One {@link #apply} is one source transaction: it locks the capture's row
 * of {@code studio.stream_position} on the source ({@value #STUDIO_DATABASE} database, created at
 * the switch point), skips every target transaction at or below the stored position, applies the
 * others whole and in commit order, writes the last position and commits. A crash leaves the batch
 * with its position or neither.
 *
 * <p><b>Per change</b>, idempotent by the source key: an INSERT or UPDATE is {@code INSERT ... ON
 * DUPLICATE KEY UPDATE} of the whole row (applied twice, the same row); an UPDATE whose log left
 * unchanged TOAST values out updates the known columns of the row, which must exist; an UPDATE that
 * changed the key deletes the old key first; a DELETE deletes by key; a TRUNCATE is {@code DELETE
 * FROM} (MariaDB's TRUNCATE commits the transaction and would tear the batch from its position).
 *
 * <p><b>Values</b> arrive as PostgreSQL's text output ({@link RowChange}) and are converted by the
 * source column's type: {@code boolean} {@code t}/{@code f} → 1/0; a {@code timestamptz} (the
 * source's {@code timestamp}) → the UTC instant, written in the session's UTC zone ({@link
 * MariaDbApplierSession}), so the source server's own time zone does not shift it; a {@code text[]}
 * (the source's {@code set}) → its members comma-separated; {@code bytea} → the bytes for binary,
 * blob and bit columns; anything else as the text, which the strict {@code sql_mode} checks against
 * the column (a value an unsigned, enum or shorter column cannot hold fails naming the row instead
 * of being clipped). The session passes the write guards and is skipped by the forward binlog
 * reader ({@link MariaDbApplierSession}).
 */
final class MariaDbReverseApplier implements ReverseApplier {
  /** The database holding the studio's bookkeeping on a MariaDB/MySQL source. */
  static final String STUDIO_DATABASE = TargetSchema.DEFAULT_STUDIO_SCHEMA;

  static final String POSITION_TABLE = "`" + STUDIO_DATABASE + "`.`stream_position`";

  private static final DateTimeFormatter UTC_TEXT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);

  private final MappingDocument inverse;
  private final String capture;
  private final Map<String, TableMapping> tables = new HashMap<>();
  private final MariaDbRowChanges record;
  private boolean recordCreated;

  MariaDbReverseApplier(MappingDocument inverse, String migrationId) {
    this.inverse = Objects.requireNonNull(inverse);
    this.capture = ReverseStream.captureName(migrationId);
    Map<String, String> recorded = new HashMap<>();
    for (TableMapping t : inverse.tables()) {
      tables.put(t.source(), t);
      recorded.put(t.target(), t.source());
    }
    this.record =
        new MariaDbRowChanges(
            ReverseStream.recordName(migrationId),
            capture,
            inverse.targetSchema() == null || inverse.targetSchema().isBlank()
                ? null
                : inverse.targetSchema(),
            recorded);
  }

  @Override
  public void prepare(Connection source) throws SQLException {
    enter(source); // checks the grant now
    try (Statement s = source.createStatement()) {
      s.execute("CREATE DATABASE IF NOT EXISTS `" + STUDIO_DATABASE + "`");
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + POSITION_TABLE
              + " (capture varchar(128) NOT NULL PRIMARY KEY, position varchar(255),"
              + " transactions bigint NOT NULL DEFAULT 0, changes bigint NOT NULL DEFAULT 0,"
              + " last_commit_time datetime(6), updated_at datetime(6)) ENGINE=InnoDB");
    }
    MariaDbRowChanges.create(source);
    recordCreated = true;
    record.recordTables(source);
  }

  @Override
  public FinalCheck.ChangedRows changedRows() {
    return record;
  }

  @Override
  public void enter(Connection source) throws SQLException {
    MariaDbApplierSession.enter(source);
  }

  @Override
  public Optional<StreamPositions.Stored> stored(Connection source) {
    try (PreparedStatement ps =
        source.prepareStatement(
            "SELECT position, transactions, changes, last_commit_time, updated_at FROM "
                + POSITION_TABLE
                + " WHERE capture = ?")) {
      ps.setString(1, capture);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        String p = rs.getString(1);
        return Optional.of(
            new StreamPositions.Stored(
                capture,
                p == null ? null : StreamPosition.parse(p),
                rs.getLong(2),
                rs.getLong(3),
                instant(rs.getObject(4, LocalDateTime.class)),
                instant(rs.getObject(5, LocalDateTime.class))));
      }
    } catch (SQLException e) {
      if (e.getErrorCode() == 1146) { // ER_NO_SUCH_TABLE: nothing applied
        return Optional.empty();
      }
      throw new MigrationException(
          ErrorCode.TRANSIENT_SQL,
          "reading the reverse stream's position "
              + capture
              + " on the source failed (SQLState "
              + e.getSQLState()
              + ", vendor code "
              + e.getErrorCode()
              + "): "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public ChangeApplier.ApplyResult apply(Connection source, List<SourceTransaction> batch) {
    RowChange[] current = new RowChange[1];
    try {
      return applyBatch(source, batch, current);
    } catch (SQLException e) {
      throw new MigrationException(
          e.getSQLState() != null && e.getSQLState().startsWith("08")
              ? ErrorCode.TRANSIENT_SQL
              : ErrorCode.PERMANENT_SQL,
          "applying the target's changes to the source failed at "
              + describe(current[0])
              + " (SQLState "
              + e.getSQLState()
              + ", vendor code "
              + e.getErrorCode()
              + "): "
              + e.getMessage()
              + "; the source did not take this batch. A value the source column cannot hold"
              + " (unsigned, enum, length, the timestamp range) must be fixed on the target, then"
              + " run the rollback again",
          e);
    }
  }

  private ChangeApplier.ApplyResult applyBatch(
      Connection source, List<SourceTransaction> batch, RowChange[] current) throws SQLException {
    if (!recordCreated) {
      // a reverse stream prepared before the record existed; DDL commits, so not in the batch
      MariaDbRowChanges.create(source);
      recordCreated = true;
    }
    boolean auto = source.getAutoCommit();
    source.setAutoCommit(false);
    boolean done = false;
    try {
      StreamPosition before = lock(source);
      StreamPosition last = before;
      RowChanges.Pending rows = new RowChanges.Pending();
      Instant lastTime = null;
      int applied = 0;
      int skipped = 0;
      long changes = 0;
      long ignored = 0;
      Map<String, long[]> counts = new TreeMap<>();
      for (SourceTransaction tx : batch) {
        if (last != null && tx.commit().compareTo(last) <= 0) {
          skipped++;
          continue;
        }
        for (RowChange change : tx.changes()) {
          current[0] = change;
          TableMapping t = tables.get(change.table());
          if (t == null) {
            ignored++;
            continue;
          }
          apply(source, t, change);
          record(rows, t, change);
          counts
              .computeIfAbsent(change.table(), k -> new long[ChangeKind.values().length])[
              change.kind().ordinal()]++;
        }
        current[0] = null;
        applied++;
        changes += tx.changes().size();
        last = tx.commit();
        lastTime = tx.commitTime();
      }
      if (applied == 0) {
        source.rollback();
      } else {
        advance(source, last, applied, changes - ignored, lastTime);
        record.add(source, rows, before, applied, last);
        source.commit();
      }
      done = true;
      Map<String, ChangeApplier.TableCounts> tableCounts = new LinkedHashMap<>();
      counts.forEach((table, c) -> tableCounts.put(table, counts(c)));
      return new ChangeApplier.ApplyResult(
          last, applied, skipped, changes - ignored, ignored, tableCounts, lastTime);
    } finally {
      if (!done) {
        try {
          source.rollback();
        } catch (SQLException ignoredRollback) {
          // the original failure is what the caller needs; the server rolls back on close
        }
      }
      source.setAutoCommit(auto);
    }
  }

  /** Counts by {@link ChangeKind} ordinal. */
  private static ChangeApplier.TableCounts counts(long[] c) {
    return new ChangeApplier.TableCounts(
        c[ChangeKind.INSERT.ordinal()],
        c[ChangeKind.UPDATE.ordinal()],
        c[ChangeKind.DELETE.ordinal()],
        c[ChangeKind.TRUNCATE.ordinal()],
        0);
  }

  private StreamPosition lock(Connection source) throws SQLException {
    try (PreparedStatement ps =
        source.prepareStatement("INSERT IGNORE INTO " + POSITION_TABLE + " (capture) VALUES (?)")) {
      ps.setString(1, capture);
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        source.prepareStatement(
            "SELECT position FROM " + POSITION_TABLE + " WHERE capture = ? FOR UPDATE")) {
      ps.setString(1, capture);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        String p = rs.getString(1);
        return p == null ? null : StreamPosition.parse(p);
      }
    }
  }

  private void advance(
      Connection source, StreamPosition position, long transactions, long changes, Instant at)
      throws SQLException {
    try (PreparedStatement ps =
        source.prepareStatement(
            "UPDATE "
                + POSITION_TABLE
                + " SET position = ?, transactions = transactions + ?, changes = changes + ?,"
                + " last_commit_time = ?, updated_at = UTC_TIMESTAMP(6) WHERE capture = ?")) {
      ps.setString(1, position.text());
      ps.setLong(2, transactions);
      ps.setLong(3, changes);
      ps.setString(4, at == null ? null : UTC_TEXT.format(at.atOffset(ZoneOffset.UTC)));
      ps.setString(5, capture);
      ps.executeUpdate();
    }
  }

  // ------------------------------------------------------------------ the record of changed keys

  /**
   * Records the rows {@code change} changed: its key, and for an update that moved the row the old
   * key too; a TRUNCATE, or a key that cannot be bound back as text, the whole table.
   */
  private static void record(RowChanges.Pending rows, TableMapping t, RowChange change) {
    switch (change.kind()) {
      case INSERT -> rows.row(t.source(), targetKey(t, change.row()), sourceKey(t, change.row()));
      case UPDATE -> {
        rows.row(t.source(), targetKey(t, change.row()), sourceKey(t, change.row()));
        if (!change.key().isEmpty()) {
          rows.row(t.source(), targetKey(t, change.key()), sourceKey(t, change.key()));
        }
      }
      case DELETE -> rows.row(t.source(), targetKey(t, change.key()), sourceKey(t, change.key()));
      case TRUNCATE -> rows.whole(t.source());
    }
  }

  /** The target (PostgreSQL) key as its text output, in key order; null: not as text. */
  private static List<String> targetKey(TableMapping t, Map<String, Object> row) {
    List<String> out = new ArrayList<>();
    for (String k : t.primaryKey()) {
      Object v = t.byTarget(k).map(c -> row.get(c.source())).orElse(null);
      if (!(v instanceof String s)) {
        return null; // missing, unchanged TOAST, bytes
      }
      out.add(s);
    }
    return out;
  }

  /**
   * The source key as the applier wrote it, in key order; null when a value was converted (a
   * boolean, a {@code timestamptz} in UTC, a set): the check binds key texts as they are.
   */
  private static List<String> sourceKey(TableMapping t, Map<String, Object> row) {
    List<String> out = new ArrayList<>();
    for (String k : t.primaryKey()) {
      ColumnMapping c = t.byTarget(k).orElse(null);
      Object v = c == null ? null : row.get(c.source());
      if (!(v instanceof String s) || !s.equals(convert(t, c, s))) {
        return null;
      }
      out.add(s);
    }
    return out;
  }

  // ------------------------------------------------------------------ one change

  private void apply(Connection source, TableMapping t, RowChange change) throws SQLException {
    String table = table(t);
    switch (change.kind()) {
      case INSERT -> upsert(source, table, t, change.row());
      case UPDATE -> {
        Map<String, Object> newKey = key(t, change.row());
        if (!change.key().isEmpty()) {
          Map<String, Object> oldKey = key(t, change.key());
          if (!sameKey(oldKey, newKey)) {
            delete(source, table, oldKey);
          }
        }
        if (change.row().containsValue(RowChange.UNCHANGED)) {
          update(source, table, t, change.row(), newKey);
        } else {
          upsert(source, table, t, change.row());
        }
      }
      case DELETE -> delete(source, table, key(t, change.key()));
      case TRUNCATE -> {
        try (Statement s = source.createStatement()) {
          s.executeUpdate("DELETE FROM " + table);
        }
      }
    }
  }

  private void upsert(Connection source, String table, TableMapping t, Map<String, Object> row)
      throws SQLException {
    Map<String, Object> values = values(t, row);
    List<String> columns = new ArrayList<>(values.keySet());
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (");
    sql.append(String.join(", ", columns.stream().map(MariaDbReverseApplier::quote).toList()));
    sql.append(") VALUES (").append(String.join(", ", columns.stream().map(c -> "?").toList()));
    sql.append(") ON DUPLICATE KEY UPDATE ");
    List<String> sets = new ArrayList<>();
    for (String c : columns) {
      if (!t.primaryKey().contains(c)) {
        sets.add(quote(c) + " = VALUES(" + quote(c) + ")");
      }
    }
    if (sets.isEmpty()) {
      String k = quote(t.primaryKey().get(0));
      sets.add(k + " = " + k);
    }
    sql.append(String.join(", ", sets));
    try (PreparedStatement ps = source.prepareStatement(sql.toString())) {
      bind(ps, 1, values.values());
      ps.executeUpdate();
    }
  }

  private void update(
      Connection source,
      String table,
      TableMapping t,
      Map<String, Object> row,
      Map<String, Object> key)
      throws SQLException {
    Map<String, Object> values = values(t, row);
    values.keySet().removeAll(t.primaryKey());
    if (values.isEmpty()) {
      return;
    }
    String sql =
        "UPDATE "
            + table
            + " SET "
            + String.join(", ", values.keySet().stream().map(c -> quote(c) + " = ?").toList())
            + where(key);
    try (PreparedStatement ps = source.prepareStatement(sql)) {
      int next = bind(ps, 1, values.values());
      bind(ps, next, key.values());
      if (ps.executeUpdate() == 0) {
        throw new SQLException(
            "the row with key " + key + " of " + table + " is missing on the source", "02000");
      }
    }
  }

  private void delete(Connection source, String table, Map<String, Object> key)
      throws SQLException {
    try (PreparedStatement ps = source.prepareStatement("DELETE FROM " + table + where(key))) {
      bind(ps, 1, key.values());
      ps.executeUpdate();
    }
  }

  private static String where(Map<String, Object> key) {
    return " WHERE "
        + String.join(" AND ", key.keySet().stream().map(c -> quote(c) + " = ?").toList());
  }

  private static int bind(PreparedStatement ps, int from, Iterable<Object> values)
      throws SQLException {
    int i = from;
    for (Object v : values) {
      if (v == null) {
        ps.setNull(i++, java.sql.Types.NULL);
      } else if (v instanceof byte[] b) {
        ps.setBytes(i++, b);
      } else {
        ps.setObject(i++, v);
      }
    }
    return i;
  }

  /**
   * The source columns and converted values of a target row: columns the inverse leaves out (the
   * target alone has them) and unchanged TOAST values are not in it.
   */
  private static Map<String, Object> values(TableMapping t, Map<String, Object> row) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : row.entrySet()) {
      if (e.getValue() == RowChange.UNCHANGED) {
        continue;
      }
      t.bySource(e.getKey()).ifPresent(c -> out.put(c.target(), convert(t, c, e.getValue())));
    }
    return out;
  }

  /** The source key (in key order) of a target row or old key. */
  private static Map<String, Object> key(TableMapping t, Map<String, Object> row) {
    Map<String, Object> values = values(t, row);
    Map<String, Object> key = new LinkedHashMap<>();
    for (String k : t.primaryKey()) {
      if (!values.containsKey(k)) {
        throw new MigrationException(
            ErrorCode.PERMANENT_SQL,
            "a change of "
                + t.source()
                + " carries no value for the source key column "
                + k
                + ": the target table's replica identity must cover the primary key");
      }
      key.put(k, values.get(k));
    }
    return key;
  }

  private static boolean sameKey(Map<String, Object> a, Map<String, Object> b) {
    for (Map.Entry<String, Object> e : a.entrySet()) {
      Object o = b.get(e.getKey());
      boolean same =
          e.getValue() instanceof byte[] x && o instanceof byte[] y
              ? java.util.Arrays.equals(x, y)
              : Objects.equals(e.getValue(), o);
      if (!same) {
        return false;
      }
    }
    return true;
  }

  /**
   * A PostgreSQL text value as the MariaDB column {@code c} ({@code type} the source type, {@code
   * source_type} the target's) takes it.
   */
  static Object convert(TableMapping t, ColumnMapping c, Object value) {
    if (value == null || value instanceof byte[]) {
      return value;
    }
    String text = value.toString();
    String pgType = c.sourceType() == null ? "" : c.sourceType().toLowerCase(Locale.ROOT).trim();
    String mariaBase = MariaDbInversion.base(c.type().toLowerCase(Locale.ROOT).trim());
    try {
      if (pgType.equals("boolean") || pgType.equals("bool")) {
        return switch (text) {
          case "t", "true" -> 1;
          case "f", "false" -> 0;
          default -> throw new IllegalArgumentException("not a boolean");
        };
      }
      if (pgType.startsWith("timestamptz")
          || pgType.startsWith("timestamp with time zone")
          || (pgType.startsWith("timestamp(") && pgType.endsWith("with time zone"))) {
        return utc(text);
      }
      if (mariaBase.equals("set") && text.startsWith("{")) {
        return String.join(",", arrayMembers(text));
      }
      return text;
    } catch (RuntimeException e) {
      throw new MigrationException(
          ErrorCode.PERMANENT_SQL,
          "the target's value '"
              + abbreviate(text)
              + "' of "
              + t.source()
              + "."
              + c.source()
              + " ("
              + c.sourceType()
              + ") cannot be written back as "
              + c.type()
              + " to the source's "
              + t.target()
              + "."
              + c.target()
              + ": "
              + e.getMessage()
              + "; fix the value on the target, then run the rollback again",
          e);
    }
  }

  /**
   * PostgreSQL's ISO text of a {@code timestamptz} ({@code 2024-03-01 12:00:00.5+01}, offsets as
   * {@code +hh}, {@code +hh:mm} or {@code +hh:mm:ss}) as the UTC wall-clock time.
   */
  static String utc(String text) {
    int space = text.indexOf(' ');
    int sign = Math.max(text.lastIndexOf('+'), text.lastIndexOf('-'));
    if (space < 0 || sign < space || text.endsWith(" BC")) {
      throw new IllegalArgumentException(
          "not a timestamp with a time zone the source can hold (" + text + ")");
    }
    try {
      LocalDateTime local = LocalDateTime.parse(text.substring(0, sign).replace(' ', 'T'));
      ZoneOffset offset = ZoneOffset.of(text.substring(sign));
      return UTC_TEXT.format(local.atOffset(offset).withOffsetSameInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not an ISO timestamp with a time zone (" + text + ")", e);
    }
  }

  /** The members of PostgreSQL's text output of a one-dimensional array ({@code {a,"b c"}}). */
  static List<String> arrayMembers(String text) {
    if (!text.startsWith("{") || !text.endsWith("}")) {
      throw new IllegalArgumentException("not an array literal");
    }
    List<String> out = new ArrayList<>();
    String body = text.substring(1, text.length() - 1);
    int i = 0;
    while (i < body.length()) {
      StringBuilder sb = new StringBuilder();
      if (body.charAt(i) == '"') {
        i++;
        while (i < body.length() && body.charAt(i) != '"') {
          if (body.charAt(i) == '\\' && i + 1 < body.length()) {
            i++;
          }
          sb.append(body.charAt(i++));
        }
        i++; // closing quote
        out.add(sb.toString());
      } else {
        while (i < body.length() && body.charAt(i) != ',') {
          sb.append(body.charAt(i++));
        }
        if (sb.toString().equals("NULL")) {
          throw new IllegalArgumentException("a set has no NULL member");
        }
        out.add(sb.toString());
      }
      if (i < body.length() && body.charAt(i) == ',') {
        i++;
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ sequences, names

  /**
   * AUTO_INCREMENT past the last value the target's identity of each AUTO_INCREMENT column handed
   * out (MariaDB already moved it past every key the reverse stream inserted; this covers values
   * the target used for rows deleted or rolled back since), never lower than the source's own
   * counter (a counter already past is left alone: lowering it would hand out keys of rows deleted
   * on the source again). Run in the applier's session, so the forward binlog reader skips the
   * {@code ALTER TABLE}; the session is left as it was.
   */
  @Override
  public List<SourceSequences.Set> advanceSequences(
      Connection source, Connection target, Dialect sd, Dialect td, MappingDocument mapping)
      throws SQLException {
    String sourceSchema =
        mapping.sourceSchema() == null || mapping.sourceSchema().isBlank()
            ? sd.defaultSchema()
            : mapping.sourceSchema();
    List<TableSql> tables = new ArrayList<>();
    List<ColumnMapping> identities = new ArrayList<>();
    for (TableMapping t : mapping.tables()) {
      for (ColumnMapping c : t.copiedColumns()) {
        if (c.identity() && c.source() != null) {
          tables.add(new TableSql(sd, td, mapping, t));
          identities.add(c);
        }
      }
    }
    List<SourceSequences.Set> out = new ArrayList<>();
    if (identities.isEmpty()) {
      return out;
    }
    long[] used = targetUsed(target, tables, identities);
    List<Dialect.KeyColumn> keys = new ArrayList<>();
    for (int i = 0; i < identities.size(); i++) {
      keys.add(new Dialect.KeyColumn(tables.get(i).table().source(), identities.get(i).source()));
    }
    enter(source);
    try {
      Map<Dialect.KeyColumn, Long> current = sd.nextKeys(source, sourceSchema, keys);
      for (int i = 0; i < identities.size(); i++) {
        Long next = current.get(keys.get(i));
        if (used[i] < 1 || next != null && next > used[i]) {
          continue; // never lowered: the source's counter is already past the target's
        }
        String sourceTable = tables.get(i).sourceTable();
        try (Statement s = source.createStatement()) {
          s.execute("ALTER TABLE " + sourceTable + " AUTO_INCREMENT = " + (used[i] + 1));
        }
        out.add(new SourceSequences.Set(sourceTable + " AUTO_INCREMENT", used[i] + 1));
      }
    } finally {
      MariaDbApplierSession.leave(source);
    }
    return out;
  }

  /**
   * The last value the target identity of each of {@code columns} (of the table of the same index)
   * handed out, 0 for none, in two statements: their sequences ({@code pg_get_serial_sequence}),
   * then every sequence's state in one {@code UNION ALL}.
   */
  private static long[] targetUsed(
      Connection target, List<TableSql> tables, List<ColumnMapping> columns) throws SQLException {
    long[] used = new long[columns.size()];
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < columns.size(); i++) {
      values.append(i == 0 ? "" : ", ").append("(").append(i).append(", ?, ?)");
    }
    List<String> reads = new ArrayList<>();
    try (PreparedStatement ps =
        target.prepareStatement(
            "SELECT v.i, pg_get_serial_sequence(v.t, v.c) FROM (VALUES "
                + values
                + ") v(i, t, c)")) {
      for (int i = 0; i < columns.size(); i++) {
        ps.setString(2 * i + 1, tables.get(i).targetTable());
        ps.setString(2 * i + 2, columns.get(i).target());
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getString(2) != null) {
            reads.add(
                "SELECT "
                    + rs.getInt(1)
                    + ", CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM "
                    + rs.getString(2));
          }
        }
      }
    }
    if (reads.isEmpty()) {
      return used;
    }
    try (Statement s = target.createStatement();
        ResultSet rs = s.executeQuery(String.join(" UNION ALL ", reads))) {
      while (rs.next()) {
        used[rs.getInt(1)] = rs.getLong(2);
      }
    }
    return used;
  }

  private String table(TableMapping t) {
    String db = inverse.targetSchema();
    return db == null || db.isBlank() ? quote(t.target()) : quote(db) + "." + quote(t.target());
  }

  private static String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  /** The stored UTC wall-clock time as an instant. */
  private static Instant instant(LocalDateTime t) {
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }

  private static String describe(RowChange c) {
    if (c == null) {
      return "the batch's position";
    }
    return c.kind()
        + " of "
        + c.table()
        + (c.key().isEmpty() ? "" : " key " + c.key())
        + (c.row().isEmpty() ? "" : " row " + abbreviate(c.row().toString()));
  }
}
