package io.migrationstudio.core.dialect.mariadb.binlog;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.GtidEventData;
import com.github.shyiko.mysql.binlog.event.MariadbGtidEventData;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.XidEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventHeaderV4Deserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.NullEventDataDeserializer;
import com.github.shyiko.mysql.binlog.network.ServerException;
import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.core.cdc.ChangeSource;
import io.migrationstudio.core.cdc.RowChange;
import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.cdc.StreamPosition.BinlogPosition;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.dialect.mariadb.MariaDbApplierSession;
import java.io.IOException;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * A binlog reader: a replication client started at a transaction boundary, assembling the row
 * events of the captured tables into one {@link SourceTransaction} per source transaction.
 *
 * <p>A transaction begins with its GTID event (MariaDB always; MySQL with GTIDs) or a {@code BEGIN}
 * query and ends with its XID event or a {@code COMMIT} query; a standalone statement (DDL) is its
 * own transaction. The commit position is the position after the ending event, a transaction
 * boundary a later reader can start from; with GTIDs the position also carries the GTID state after
 * the transaction ({@code gtid_binlog_pos} form on MariaDB), and the reader resumes by GTID then.
 * The transaction id is its GTID ({@code domain-server-sequence}, the server id from the event
 * header) or, without GTIDs, {@code xid:<n>}. Transactions that change nothing in scope are handed
 * out empty (runs of them coalesced into the last), so the position moves on; while the source is
 * idle the server's heartbeat (every {@link #HEARTBEAT}) yields an empty transaction at the last
 * position with the current time, so lag in seconds stays meaningful.
 *
 * <p>DDL on a captured table stops the reader with a {@link MigrationException} naming the table
 * and the statement; {@code TRUNCATE} becomes {@link RowChange#truncate}. The client's thread
 * delivers events; {@link #poll} hands them over, and a failure on that thread (a lost connection,
 * an undecodable value, DDL) is thrown from the next {@link #poll}.
 *
 * <p>Events of the studio's reverse applier (header server id {@link
 * MariaDbApplierSession#SERVER_ID}) are skipped: after a rollback the writes the reverse stream
 * brought from the target must not flow back to it. Their transactions still arrive, empty.
 */
final class BinlogChangeSource implements ChangeSource, BinaryLogClient.EventListener {
  /** The server's heartbeat period while nothing is written: lag stays current within it. */
  static final Duration HEARTBEAT = Duration.ofSeconds(1);

  /** MariaDB's ER_SLAVE_SAME_ID: the server ended this dump for a newer one with its server id. */
  static final int ER_SLAVE_SAME_ID = 4052;

  /** Events queued for the applier beyond which the client thread waits (memory bound). */
  private static final int MAX_QUEUED_CHANGES = 50_000;

  /** Row events: those of the reverse applier's session are skipped (loop prevention). */
  private static final Set<EventType> ROW_EVENTS =
      Set.of(
          EventType.WRITE_ROWS,
          EventType.EXT_WRITE_ROWS,
          EventType.UPDATE_ROWS,
          EventType.EXT_UPDATE_ROWS,
          EventType.DELETE_ROWS,
          EventType.EXT_DELETE_ROWS);

  private final String database;
  private final Set<String> tables;
  private final Connection meta;
  private final BinaryLogClient client;
  private final boolean mariaDb;
  private final Map<String, BinlogColumns> columns = new HashMap<>();
  private final Map<Long, TableMapEventData> tableMaps = new HashMap<>();

  // client thread state
  private String file;
  private boolean inTransaction;
  private boolean standalone;
  private String gtid;
  private final List<RowChange> changes = new ArrayList<>();
  private final Map<Long, String> gtidState = new LinkedHashMap<>();
  private final boolean trackGtid;
  private BinlogPosition last;

  // shared with the applier's thread, guarded by this
  private final ArrayDeque<SourceTransaction> queue = new ArrayDeque<>();
  private boolean lastQueuedEmpty;
  private int queuedChanges;
  private RuntimeException failure;
  private boolean takenOver;
  private boolean closed;
  private StreamPosition confirmed;

  private BinlogChangeSource(
      String database,
      List<String> tables,
      Connection meta,
      BinaryLogClient client,
      BinlogPosition from,
      boolean mariaDb) {
    this.database = database;
    this.tables = Set.copyOf(tables);
    this.meta = meta;
    this.client = client;
    this.mariaDb = mariaDb;
    this.file = from.file();
    this.last = from;
    this.trackGtid = from.gtid() != null;
    if (trackGtid && mariaDb) {
      for (String g : from.gtid().split(",")) {
        String t = g.trim();
        if (!t.isEmpty()) {
          gtidState.put(Long.parseLong(t.substring(0, t.indexOf('-'))), t);
        }
      }
    }
  }

  static BinlogChangeSource open(
      ConnectionSpec spec,
      Secrets secrets,
      String name,
      String database,
      List<String> tables,
      BinlogPosition from)
      throws SQLException {
    Connection meta = Dialects.openReadOnly(spec, secrets, "source");
    boolean mariaDb;
    try {
      mariaDb =
          io.migrationstudio.core.dialect.Dialect.queryString(meta, "SELECT VERSION()")
              .toLowerCase(Locale.ROOT)
              .contains("mariadb");
    } catch (SQLException e) {
      meta.close();
      throw e;
    }
    try {
      MariaDbChangeCapture.requireListed(meta, from);
    } catch (RuntimeException e) {
      meta.close();
      throw e;
    }
    String[] hostPort = hostPort(spec.url());
    String password = secrets.resolve(spec.password(), "source.password");
    BinaryLogClient client =
        new BinaryLogClient(
            hostPort[0],
            Integer.parseInt(hostPort[1]),
            spec.user(),
            password == null ? "" : password);
    // a replica's server id must be unique on the source: one per capture name, outside the
    // range servers usually get
    client.setServerId(0x40000000L | (name.hashCode() & 0x3FFFFFFFL));
    client.setBinlogFilename(from.file());
    client.setBinlogPosition(from.offset());
    if (from.gtid() != null) {
      client.setGtidSet(from.gtid());
    }
    client.setHeartbeatInterval(HEARTBEAT.toMillis());
    client.setKeepAlive(false); // a lost connection fails poll: the applier reopens at its position
    client.setEventDeserializer(deserializer());
    BinlogChangeSource source =
        new BinlogChangeSource(database, tables, meta, client, from, mariaDb);
    try {
      // the columns as they are now, before any later schema change can be read
      for (String table : tables) {
        source.columns.put(table, BinlogColumns.read(meta, database, table));
      }
    } catch (SQLException | RuntimeException e) {
      source.closeQuietly();
      throw e;
    }
    client.registerEventListener(source);
    client.registerLifecycleListener(source.lifecycle());
    try {
      client.connect(Duration.ofSeconds(30).toMillis());
    } catch (IOException | TimeoutException e) {
      source.closeQuietly();
      throw new MigrationException(
          ErrorCode.TRANSIENT_SQL,
          "starting the binlog reader of "
              + MigrationException.redact(spec.url())
              + " at "
              + from.text()
              + " failed: "
              + e.getMessage()
              + "; check that the source user has REPLICATION SLAVE and that the binlog file"
              + " still exists (binlog retention)",
          e);
    }
    return source;
  }

  /** Host and port of a {@code jdbc:mariadb://host:port/db} URL (the first host). */
  static String[] hostPort(String url) {
    int start = url.indexOf("//") + 2;
    int end = start;
    while (end < url.length() && "/?,;".indexOf(url.charAt(end)) < 0) {
      end++;
    }
    String hp = url.substring(start, end);
    int at = hp.lastIndexOf('@');
    hp = hp.substring(at + 1);
    if (hp.startsWith("[")) {
      int close = hp.indexOf(']');
      String port = hp.length() > close + 2 ? hp.substring(close + 2) : "3306";
      return new String[] {hp.substring(1, close), port};
    }
    int colon = hp.indexOf(':');
    return colon < 0
        ? new String[] {hp, "3306"}
        : new String[] {hp.substring(0, colon), hp.substring(colon + 1)};
  }

  /**
   * The library's deserializers with the row cells read as server text ({@link TextCells}) and
   * character columns as bytes (decoded strictly per column by {@link BinlogColumns}).
   */
  private static EventDeserializer deserializer() {
    Map<Long, TableMapEventData> maps =
        new com.github.shyiko.mysql.binlog.event.LRUCache<>(100, 0.75f, 10_000);
    Map<EventType, EventDataDeserializer> byType = new IdentityHashMap<>();
    EventDeserializer d =
        new EventDeserializer(
            new EventHeaderV4Deserializer(), new NullEventDataDeserializer(), byType, maps);
    EventDeserializer defaults = new EventDeserializer();
    for (EventType t : EventType.values()) {
      EventDataDeserializer each = defaults.getEventDataDeserializer(t);
      if (!(each instanceof NullEventDataDeserializer)) {
        d.setEventDataDeserializer(t, each);
      }
    }
    d.setEventDataDeserializer(EventType.WRITE_ROWS, new TextCells.Writes(maps));
    d.setEventDataDeserializer(EventType.UPDATE_ROWS, new TextCells.Updates(maps));
    d.setEventDataDeserializer(EventType.DELETE_ROWS, new TextCells.Deletes(maps));
    d.setEventDataDeserializer(
        EventType.EXT_WRITE_ROWS, new TextCells.Writes(maps).setMayContainExtraInformation(true));
    d.setEventDataDeserializer(
        EventType.EXT_UPDATE_ROWS, new TextCells.Updates(maps).setMayContainExtraInformation(true));
    d.setEventDataDeserializer(
        EventType.EXT_DELETE_ROWS, new TextCells.Deletes(maps).setMayContainExtraInformation(true));
    d.setCompatibilityMode(EventDeserializer.CompatibilityMode.CHAR_AND_BINARY_AS_BYTE_ARRAY);
    return d;
  }

  private BinaryLogClient.LifecycleListener lifecycle() {
    return new BinaryLogClient.AbstractLifecycleListener() {
      @Override
      public void onCommunicationFailure(BinaryLogClient c, Exception ex) {
        if (ex instanceof ServerException se && se.getErrorCode() == ER_SLAVE_SAME_ID) {
          takenOver(se);
          return;
        }
        fail(
            new MigrationException(
                ErrorCode.TRANSIENT_SQL,
                "the binlog connection to the source failed: "
                    + ex.getMessage()
                    + "; the reader is reopened from the last applied position",
                ex));
      }

      @Override
      public void onEventDeserializationFailure(BinaryLogClient c, Exception ex) {
        fail(
            new MigrationException(
                ErrorCode.PERMANENT_SQL,
                "a binlog event of the source could not be read after "
                    + last.text()
                    + ": "
                    + ex.getMessage(),
                ex));
      }

      @Override
      public void onDisconnect(BinaryLogClient c) {
        synchronized (BinlogChangeSource.this) {
          if (!closed && failure == null) {
            failure =
                new MigrationException(
                    ErrorCode.TRANSIENT_SQL,
                    "the source closed the binlog connection after "
                        + last.text()
                        + "; the reader is reopened from the last applied position");
            BinlogChangeSource.this.notifyAll();
          }
        }
      }
    };
  }

  // ---------------------------------------------------------------- client thread

  @Override
  public void onEvent(Event event) {
    synchronized (this) {
      if (failure != null || closed) {
        return;
      }
    }
    try {
      handle(event);
    } catch (RuntimeException | SQLException e) {
      fail(
          e instanceof MigrationException m
              ? m
              : new MigrationException(
                  ErrorCode.PERMANENT_SQL,
                  "reading the binlog after " + last.text() + " failed: " + e.getMessage(),
                  e));
    }
  }

  private void handle(Event event) throws SQLException {
    EventHeaderV4 h = event.getHeader();
    EventType type = h.getEventType();
    if (MariaDbApplierSession.isApplier(h.getServerId()) && ROW_EVENTS.contains(type)) {
      return; // the reverse applier's write: the target made it, it must not flow back
    }
    switch (type) {
      case ROTATE -> file = ((RotateEventData) event.getData()).getBinlogFilename();
      case MARIADB_GTID -> {
        MariadbGtidEventData g = event.getData();
        begin(g.getDomainId() + "-" + h.getServerId() + "-" + g.getSequence());
        standalone = (g.getFlags() & MariadbGtidEventData.FL_STANDALONE) != 0;
        gtidState.put(g.getDomainId(), gtid);
      }
      case GTID -> {
        begin(((GtidEventData) event.getData()).getGtid());
        standalone = false;
      }
      case QUERY -> query(h, event.getData());
      case TABLE_MAP -> {
        TableMapEventData m = event.getData();
        tableMaps.put(m.getTableId(), m);
      }
      case WRITE_ROWS, EXT_WRITE_ROWS -> {
        WriteRowsEventData d = event.getData();
        BinlogColumns cols = columnsOf(d.getTableId());
        if (cols != null) {
          for (Serializable[] row : d.getRows()) {
            changes.add(RowChange.insert(cols.table(), row(cols, d.getIncludedColumns(), row)));
          }
        }
      }
      case UPDATE_ROWS, EXT_UPDATE_ROWS -> {
        UpdateRowsEventData d = event.getData();
        BinlogColumns cols = columnsOf(d.getTableId());
        if (cols != null) {
          for (Map.Entry<Serializable[], Serializable[]> r : d.getRows()) {
            Map<String, Object> before = row(cols, d.getIncludedColumnsBeforeUpdate(), r.getKey());
            changes.add(
                RowChange.update(
                    cols.table(),
                    cols.oldKey(before),
                    row(cols, d.getIncludedColumns(), r.getValue())));
          }
        }
      }
      case DELETE_ROWS, EXT_DELETE_ROWS -> {
        DeleteRowsEventData d = event.getData();
        BinlogColumns cols = columnsOf(d.getTableId());
        if (cols != null) {
          for (Serializable[] row : d.getRows()) {
            changes.add(
                RowChange.delete(
                    cols.table(), cols.oldKey(row(cols, d.getIncludedColumns(), row))));
          }
        }
      }
      case XID ->
          commit(h, gtid != null ? gtid : "xid:" + ((XidEventData) event.getData()).getXid());
      case XA_PREPARE -> {
        if (!changes.isEmpty()) {
          throw new MigrationException(
              ErrorCode.PERMANENT_SQL,
              "an XA transaction ("
                  + gtid
                  + ") changed captured table "
                  + database
                  + "."
                  + changes.get(0).table()
                  + " at binlog "
                  + file
                  + ":"
                  + h.getPosition()
                  + "; change capture does not follow XA (two-phase) transactions: their changes"
                  + " would be committed by a later XA COMMIT the reader cannot tie them to. Stop"
                  + " using XA on the captured tables, or use migrate.strategy: bulk");
        }
        // an XA transaction on other tables: its XA COMMIT comes later as a statement of its own
        commit(h, gtid != null ? gtid : "pos:" + file + ":" + h.getNextPosition());
      }
      case HEARTBEAT -> {
        if (!inTransaction) {
          enqueue(new SourceTransaction("heartbeat", last, Instant.now(), List.of()));
        }
      }
      default -> {}
    }
  }

  private void begin(String id) {
    inTransaction = true;
    gtid = id;
    changes.clear();
    tableMaps.clear();
  }

  private void query(EventHeaderV4 h, QueryEventData q) {
    String sql = q.getSql().trim();
    String upper = sql.toUpperCase(Locale.ROOT);
    if (upper.equals("BEGIN")) {
      if (!inTransaction) {
        begin(null);
      }
      return;
    }
    if (upper.equals("COMMIT")) {
      commit(h, gtid != null ? gtid : "pos:" + file + ":" + h.getNextPosition());
      return;
    }
    if (upper.equals("ROLLBACK")) {
      changes.clear();
      commit(h, gtid != null ? gtid : "pos:" + file + ":" + h.getNextPosition());
      return;
    }
    StatementTables.Target target =
        MariaDbApplierSession.isApplier(h.getServerId())
            ? null // the reverse applier's statement (AUTO_INCREMENT at a rollback): not a change
            : StatementTables.of(sql, q.getDatabase());
    String captured = target == null ? null : captured(target);
    if (captured != null) {
      if (target.verb().equals("TRUNCATE")) {
        changes.add(RowChange.truncate(captured));
      } else {
        throw new MigrationException(
            ErrorCode.PERMANENT_SQL,
            "the source ran "
                + target.verb()
                + " on captured table "
                + database
                + "."
                + captured
                + " at binlog "
                + file
                + ":"
                + h.getPosition()
                + ": "
                + abbreviate(sql)
                + "; change capture cannot follow a schema change (or a statement-based"
                + " change): the stream stops here so that the target does not silently"
                + " diverge. Re-plan the migration (Mapping) with the new schema and migrate"
                + " again");
      }
    }
    if (!inTransaction || standalone) {
      commit(h, gtid != null ? gtid : "pos:" + file + ":" + h.getNextPosition());
    }
  }

  /** The first captured table of a statement's target, or null. */
  private String captured(StatementTables.Target target) {
    for (StatementTables.QualifiedName n : target.tables()) {
      if (database.equals(n.database())) {
        if (n.table().equals("*")) {
          return tables.stream().sorted().findFirst().orElse(null);
        }
        if (tables.contains(n.table())) {
          return n.table();
        }
      }
    }
    return null;
  }

  private static String abbreviate(String sql) {
    String one = sql.replaceAll("\\s+", " ");
    return one.length() > 300 ? one.substring(0, 300) + "…" : one;
  }

  private void commit(EventHeaderV4 h, String xid) {
    String state =
        !trackGtid ? null : mariaDb ? String.join(",", gtidState.values()) : client.getGtidSet();
    last = new BinlogPosition(file, h.getNextPosition(), state);
    enqueue(
        new SourceTransaction(
            xid, last, Instant.ofEpochMilli(h.getTimestamp()), List.copyOf(changes)));
    changes.clear();
    inTransaction = false;
    standalone = false;
    gtid = null;
  }

  /** The columns of a table map's table when it is captured; null for other tables. */
  private BinlogColumns columnsOf(long tableId) throws SQLException {
    TableMapEventData m = tableMaps.get(tableId);
    if (m == null || !database.equals(m.getDatabase()) || !tables.contains(m.getTable())) {
      return null;
    }
    BinlogColumns cols = columns.get(m.getTable());
    if (cols == null || !matches(cols, m)) {
      synchronized (meta) {
        cols = BinlogColumns.read(meta, database, m.getTable());
      }
      if (!matches(cols, m)) {
        throw new MigrationException(
            ErrorCode.PERMANENT_SQL,
            "the binlog's columns of captured table "
                + database
                + "."
                + m.getTable()
                + " at "
                + file
                + " ("
                + m.getColumnTypes().length
                + " columns"
                + (names(m) == null ? "" : " " + names(m))
                + ") differ from the table's current columns "
                + cols.columns().stream().map(BinlogColumns.Col::name).toList()
                + ": the table was changed after this change was logged; re-plan the migration"
                + " with the new schema and migrate again");
      }
      columns.put(m.getTable(), cols);
    }
    return cols;
  }

  private static List<String> names(TableMapEventData m) {
    return m.getEventMetadata() == null ? null : m.getEventMetadata().getColumnNames();
  }

  private static boolean matches(BinlogColumns cols, TableMapEventData m) {
    if (cols.columns().size() != m.getColumnTypes().length) {
      return false;
    }
    List<String> names = names(m);
    if (names == null || names.isEmpty()) {
      return true;
    }
    for (int i = 0; i < names.size(); i++) {
      if (!names.get(i).equalsIgnoreCase(cols.columns().get(i).name())) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, Object> row(
      BinlogColumns cols, BitSet included, Serializable[] values) {
    Map<String, Object> out = new LinkedHashMap<>();
    int j = 0;
    for (int i = 0; i < cols.columns().size(); i++) {
      if (included.get(i)) {
        out.put(cols.columns().get(i).name(), cols.value(i, values[j++]));
      }
    }
    return out;
  }

  private void enqueue(SourceTransaction tx) {
    synchronized (this) {
      while (!closed && failure == null && queuedChanges >= MAX_QUEUED_CHANGES) {
        try {
          wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (tx.changes().isEmpty() && lastQueuedEmpty && !queue.isEmpty()) {
        queue.pollLast(); // a run of empty transactions: the last one says it all
      }
      queue.addLast(tx);
      lastQueuedEmpty = tx.changes().isEmpty();
      queuedChanges += tx.changes().size();
      notifyAll();
    }
  }

  /**
   * A newer reader of this capture connected with the same replica server id and the server ended
   * this one's dump (a retried slice while the attempt it replaces still runs, or a worker taking
   * over): this reader stops at once and hands out nothing more, not even what it had buffered, so
   * that it does not keep applying next to the reader that replaced it.
   */
  private void takenOver(ServerException e) {
    synchronized (this) {
      takenOver = true;
      queue.clear();
      queuedChanges = 0;
    }
    fail(
        new MigrationException(
            ErrorCode.TRANSIENT_SQL,
            "a newer reader of this change capture took over the binlog stream after "
                + last.text()
                + " (the source server ends the older of two readers with one replica server id:"
                + " "
                + e.getMessage()
                + "); this reader stops, the newer one goes on from the position the target holds",
            e));
  }

  private void fail(RuntimeException e) {
    synchronized (this) {
      if (failure == null) {
        failure = e;
      }
      notifyAll();
    }
    Thread stopper = new Thread(this::disconnectQuietly, "binlog-reader-stop");
    stopper.setDaemon(true);
    stopper.start();
  }

  // ---------------------------------------------------------------- applier thread

  @Override
  public synchronized List<SourceTransaction> poll(Duration wait, int maxChanges)
      throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (queue.isEmpty() && failure == null && !closed) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return List.of();
      }
      java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    if (failure != null && (queue.isEmpty() || takenOver)) {
      throw failure;
    }
    List<SourceTransaction> out = new ArrayList<>();
    int taken = 0;
    while (!queue.isEmpty()
        && (out.isEmpty() || taken + queue.peekFirst().changes().size() <= maxChanges)) {
      SourceTransaction tx = queue.pollFirst();
      out.add(tx);
      taken += tx.changes().size();
    }
    queuedChanges -= taken;
    if (queue.isEmpty()) {
      lastQueuedEmpty = false;
    }
    notifyAll();
    return out;
  }

  /** Only recorded: the server keeps its binlog by retention, there is nothing to release. */
  @Override
  public synchronized void confirm(StreamPosition position) {
    confirmed = position;
  }

  /** Row changes handed over by the client thread and not yet polled (tests). */
  synchronized int queuedChanges() {
    return queuedChanges;
  }

  /** Whether the reader failed (tests). */
  synchronized boolean failed() {
    return failure != null;
  }

  synchronized StreamPosition confirmed() {
    return confirmed;
  }

  @Override
  public StreamPosition head() throws SQLException {
    synchronized (meta) {
      return MariaDbChangeCapture.position(meta);
    }
  }

  @Override
  public void close() throws SQLException {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    disconnectQuietly();
    synchronized (meta) {
      meta.close();
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (SQLException e) {
      // opening failed: that failure is reported
    }
  }

  /**
   * Closes the binlog connection, also on an interrupted thread: {@code
   * BinaryLogClient.disconnect()} does nothing there ("terminateConnect interrupted, exiting
   * without acquiring lock"), which left the client's reading thread and the source's Binlog Dump
   * thread running after a slice was cancelled or its worker shut down. The interrupt is cleared
   * for the call and set again.
   */
  private void disconnectQuietly() {
    boolean interrupted = Thread.interrupted();
    try {
      client.disconnect();
    } catch (IOException e) {
      // the connection is gone either way
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
