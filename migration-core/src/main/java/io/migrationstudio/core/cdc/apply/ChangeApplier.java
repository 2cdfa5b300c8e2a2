package io.migrationstudio.core.cdc.apply;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.core.cdc.ChunkSnapshot;
import io.migrationstudio.core.cdc.RowChange;
import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.copy.Ledger;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Applies streamed source transactions to the target exactly once, through the copy's mapping.
 *
 * <p><b>Exactly once.</b> One call of {@link #apply} is one target transaction: it locks the
 * capture's row of {@code <studio>.stream_position} ({@link StreamPositions}), skips every
 * transaction whose commit position is at or below the stored one (a reader may deliver them again
 * after a reconnect), applies the others whole and in order, writes the last applied commit
 * position with the counters, and commits. The changes and the position commit together or not at
 * all, so a crash anywhere leaves either the whole batch with its position or neither, and the next
 * batch starts from what the target holds. The row lock also serializes two appliers of one capture
 * (a worker taking over from one presumed dead).
 *
 * <p><b>Per change</b>, through the copy's own code: the change's table is found in the mapping by
 * its source name (a table out of scope is ignored); its values go through the copy's reader
 * ({@code SourceRows} over a {@link ChangeRow}), so renames, casts, value maps, CEL transforms and
 * conversions are the copy's; then an INSERT or UPDATE is an upsert of the full new row ({@code
 * INSERT ... ON CONFLICT (key) DO UPDATE}), or, when the log left unchanged TOAST values out, an
 * {@code UPDATE} of the known columns that must find its row; a DELETE deletes by the target key;
 * an UPDATE that changes the key moves the row in place ({@code UPDATE ... SET key = new WHERE key
 * = old}, then the upsert of the new row in case the target had none), so foreign keys that
 * reference it follow by the target's {@code ON UPDATE} action as they did on the source (MariaDB
 * and MySQL do not write cascaded changes to the binlog; a delete and an insert would fire {@code
 * ON DELETE} instead), or, when only one of its keys is still to be applied, deletes the old key or
 * writes the new; a TRUNCATE empties the tables the source truncated in one statement together
 * ({@code ONLY} an inheritance parent; a referenced parent truncated alone: DELETE, keys held). For
 * a MariaDB/MySQL source whose target user may set {@code session_replication_role}, the target's
 * foreign keys are held (replica mode, {@link ApplySession}) and every parent delete and key
 * change's action is carried by the applier ({@link CascadeCarrier}), not the target's. Consecutive
 * changes of one statement shape go in one JDBC batch; the order of changes is kept.
 *
 * <p><b>Hand-off from the copy.</b> A change to a row is skipped when the {@link ChunkSnapshot}
 * that the chunk holding the row recorded in the chunk ledger {@linkplain ChunkSnapshot#includes
 * includes} its transaction: that chunk's copy already holds it ({@link ChunkLookup}). A
 * key-changing update is judged as a delete of the old key against the old key's chunk and an
 * insert of the new key against the new key's chunk. A TRUNCATE deletes the ranges of the chunks
 * that do not include it (all of them: TRUNCATE). Tables copied in bulk (no snapshots) take every
 * change. The applier runs after the copy: each chunk of an online table must have its snapshot.
 *
 * <p><b>Chunk marks.</b> Every change of a table in scope, applied or skipped, marks the ledger
 * chunk(s) of its row in {@link ChunkChanges} in the same target transaction, so a re-validation
 * knows from the stream itself which chunks may differ from their last proof.
 *
 * <p><b>Row marks.</b> The keys of the rows those changes touched go to {@link RowChanges} in the
 * same target transaction too (one row per batch), so the cutover's final check compares exactly
 * the rows changed since the Validation's proof.
 */
public final class ChangeApplier {
  /** Changes per JDBC batch before it is sent. */
  static final int MAX_BATCH = 1_000;

  private final Dialect source;
  private final Dialect target;
  private final MappingDocument mapping;
  private final String migration;
  private final String capture;
  private final String studioSchema;
  private final Connection sourceForOrder;
  private final StreamPositions positions;
  private final Ledger ledger;
  private final ChunkChanges marks;
  private final RowChanges rowMarks;
  private final Map<String, TableChanges> tables = new HashMap<>();
  private final Map<String, ChunkLookup> lookups = new HashMap<>();
  private final CascadeCarrier cascades;
  private final ApplySession session;
  private boolean created;

  /** The source TRUNCATE applied by the transaction's previous change (its tables together). */
  private RowChange.Truncation truncatedLast;

  /** Counts of one table in one batch (source table name). */
  public record TableCounts(
      long inserts, long updates, long deletes, long truncates, long skipped) {
    TableCounts plus(TableCounts o) {
      return new TableCounts(
          inserts + o.inserts,
          updates + o.updates,
          deletes + o.deletes,
          truncates + o.truncates,
          skipped + o.skipped);
    }
  }

  /**
   * What one batch did: the position the target holds after it (null when none yet), the
   * transactions applied and those skipped as already applied, the row changes applied (counted in
   * whole transactions) and those ignored as out of scope, per-table counts, and the commit time of
   * the last transaction applied (null when none was).
   */
  public record ApplyResult(
      StreamPosition position,
      int appliedTransactions,
      int skippedTransactions,
      long changes,
      long ignoredChanges,
      Map<String, TableCounts> tables,
      Instant lastCommitTime) {
    public ApplyResult {
      tables = Map.copyOf(tables);
    }
  }

  public ChangeApplier(
      Dialect source, Dialect target, MappingDocument mapping, String migration, String capture) {
    this(source, target, mapping, migration, capture, TargetSchema.DEFAULT_STUDIO_SCHEMA, null);
  }

  /**
   * @param sourceForOrder a source connection on which keys that are not numbers are compared in
   *     the source's order to find their chunk (null: by code point; see {@link KeyOrder})
   */
  public ChangeApplier(
      Dialect source,
      Dialect target,
      MappingDocument mapping,
      String migration,
      String capture,
      String studioSchema,
      Connection sourceForOrder) {
    this.source = Objects.requireNonNull(source);
    this.session = new ApplySession(source);
    this.target = Objects.requireNonNull(target);
    this.mapping = Objects.requireNonNull(mapping);
    this.migration = Objects.requireNonNull(migration);
    this.capture = Objects.requireNonNull(capture);
    this.studioSchema = Objects.requireNonNull(studioSchema);
    this.sourceForOrder = sourceForOrder;
    this.positions = new StreamPositions(target, studioSchema);
    this.ledger = new Ledger(target, studioSchema);
    this.marks = new ChunkChanges(target, studioSchema);
    this.rowMarks = new RowChanges(target, studioSchema);
    this.cascades = new CascadeCarrier(mapping, target, this::table);
  }

  /** The position and counters the target holds for this capture (empty before any batch). */
  public Optional<StreamPositions.Stored> stored(Connection tgt) {
    try {
      return positions.read(tgt, capture);
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        return Optional.empty(); // no stream_position table: nothing applied
      }
      throw target.classify(e, "reading the stream position of capture " + capture);
    }
  }

  /** Applies {@code batch} (whole transactions in commit order) in one target transaction. */
  public ApplyResult apply(Connection tgt, List<SourceTransaction> batch) {
    try {
      return applyBatch(tgt, batch);
    } catch (SQLException e) {
      String what = "applying " + batch.size() + " streamed transactions of capture " + capture;
      if (!session.holdsKeys() && foreignKeyViolation(e)) {
        throw Dialect.sqlFailure(
            ErrorCode.PERMANENT_SQL,
            e,
            what,
            "a foreign key of the target refused a streamed row: each chunk reads its own snapshot,"
                + " so a row the stream writes may reference a parent that a chunk read later no"
                + " longer has. The applier holds the target's foreign keys while it applies (and"
                + " carries their actions itself), as logical replication does, when the target"
                + " user may set session_replication_role: GRANT SET ON PARAMETER"
                + " session_replication_role TO <studio user> (PostgreSQL 15+; or make it"
                + " superuser), then resume the stream");
      }
      throw target.classify(e, what);
    }
  }

  /** SQLState 23503, also as the cause of a failed JDBC batch. */
  private static boolean foreignKeyViolation(SQLException e) {
    for (SQLException x = e; x != null; x = x.getNextException()) {
      if ("23503".equals(x.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  private ApplyResult applyBatch(Connection tgt, List<SourceTransaction> batch)
      throws SQLException {
    boolean auto = tgt.getAutoCommit();
    tgt.setAutoCommit(false);
    boolean done = false;
    try {
      session.begin(tgt, mapping); // the target's triggers ran on the source already
      if (!created) {
        try (Statement st = tgt.createStatement()) {
          st.execute(TargetSchema.streamPositionStatement(target, studioSchema));
        }
        marks.create(tgt);
        rowMarks.create(tgt);
      }
      Optional<StreamPositions.Stored> before = positions.lockStored(tgt, capture);
      StreamPosition stored = before.map(StreamPositions.Stored::position).orElse(null);
      StreamPosition last = stored;
      Instant lastTime = null;
      int applied = 0;
      int skipped = 0;
      long changes = 0;
      Counts counts = new Counts();
      ChunkChanges.Pending touched = new ChunkChanges.Pending();
      RowChanges.Pending rows = new RowChanges.Pending();
      try (Batcher out = new Batcher(tgt)) {
        for (SourceTransaction tx : batch) {
          if (last != null && tx.commit().compareTo(last) <= 0) {
            skipped++;
            continue;
          }
          truncatedLast = null;
          for (RowChange change : tx.changes()) {
            apply(tgt, out, tx, change, counts, touched, rows);
          }
          applied++;
          changes += tx.changes().size();
          last = tx.commit();
          lastTime = tx.commitTime();
        }
        out.flush();
      }
      if (applied == 0) {
        tgt.rollback();
      } else {
        // the chunks the batch touched, with its rows and its position (re-validation reuses the
        // proof of a chunk whose mark did not move)
        marks.add(tgt, migration, touched);
        rowMarks.add(tgt, migration, capture, rows, stored, applied, last);
        positions.advance(tgt, capture, last, applied, changes - counts.ignored, lastTime);
        tgt.commit();
      }
      created = true;
      done = true;
      return new ApplyResult(
          last,
          applied,
          skipped,
          changes - counts.ignored,
          counts.ignored,
          counts.tables,
          lastTime);
    } finally {
      if (!done) {
        rollbackQuietly(tgt);
      }
      restoreAutoCommit(tgt, auto);
    }
  }

  private void apply(
      Connection tgt,
      Batcher out,
      SourceTransaction tx,
      RowChange change,
      Counts counts,
      ChunkChanges.Pending touched,
      RowChanges.Pending rows)
      throws SQLException {
    TableChanges t = table(change.table());
    if (change.kind() != io.migrationstudio.core.cdc.ChangeKind.TRUNCATE) {
      truncatedLast = null;
    }
    if (t == null) {
      counts.ignored++;
      return;
    }
    ChunkLookup chunks = lookup(tgt, t);
    String name = change.table();
    switch (change.kind()) {
      case INSERT, UPDATE -> {
        boolean insert = change.kind() == io.migrationstudio.core.cdc.ChangeKind.INSERT;
        boolean moved = !insert && t.keyChanged(change.key(), change.row());
        touched.mark(t.table.source(), chunkOf(chunks, t, change.row()), tx.commit());
        if (moved) {
          touched.mark(t.table.source(), chunkOf(chunks, t, change.key()), tx.commit());
        }
        boolean applyNew = !copied(chunks, t.chunkKeyText(change.row()), tx);
        boolean applyOld = moved && !copied(chunks, t.chunkKeyText(change.key()), tx);
        TableChanges.Converted row = t.convert(withBeforeImage(change.row(), change.key()));
        rows.row(t.table.source(), t.sourceKeyTexts(change.row()), t.keyValues(row));
        String[] newRef = t.values(row, cascades.carried(t));
        if (moved) {
          String[] oldKey = t.keyValues(t.convertKey(change.key()));
          String[] oldRef = oldRow(t, change.key());
          rows.row(t.table.source(), t.sourceKeyTexts(change.key()), oldKey);
          if (row.anyUnchanged() && applyNew && !applyOld) {
            throw new MigrationException(
                ErrorCode.INVALID_ARTIFACT,
                "a streamed update of table "
                    + name
                    + " moves a row to key "
                    + row.keyText()
                    + " and leaves unchanged TOAST values out, but the row is on neither key of"
                    + " the target (the copy of its old chunk already had the move, the copy of"
                    + " its new chunk did not); set REPLICA IDENTITY FULL on the source table so"
                    + " the log carries the old row, then copy the table again");
          }
          if (row.anyUnchanged() && applyOld && applyNew) {
            // the log left values out: the row moves with them, in place
            out.add(t.update(row.unchanged(), true), t.updateParams(row, true, oldKey), t, row);
            if (session.carriesEveryAction()) { // the target's keys are held: nothing cascades
              carry(tgt, out, t, tx, oldRef, newRef, change.row(), touched, rows, 1);
            }
          } else if (applyOld && applyNew) {
            // in place, as the source moved it: rows referencing the key follow by the target's
            // ON UPDATE action, as on the source (MariaDB/MySQL do not log cascaded changes); a
            // delete + insert would fire ON DELETE instead (children deleted, nulled or refused).
            // The upsert writes the row when the target had none at the old key.
            out.add(t.update(row.unchanged(), true), t.updateParams(row, true, oldKey), null, null);
            upsert(out, t, row);
            if (session.carriesEveryAction()) { // the target's keys are held: nothing cascades
              carry(tgt, out, t, tx, oldRef, newRef, change.row(), touched, rows, 1);
            }
          } else {
            // one half was in its chunk's copy already: the children the source's ON UPDATE
            // action changed are carried here (the binlog has the parent's row only), after the
            // new row is written and before the old one is deleted (which would fire ON DELETE)
            if (applyNew) {
              upsert(out, t, row);
            }
            carry(tgt, out, t, tx, oldRef, newRef, change.row(), touched, rows, 1);
            if (applyOld) {
              out.add(t.delete(), oldKey, null, null);
            }
          }
          counts.add(name, 0, applyOld || applyNew ? 1 : 0, 0, 0, applyOld && applyNew ? 0 : 1);
        } else {
          if (applyNew) {
            upsert(out, t, row);
            counts.add(name, insert ? 1 : 0, insert ? 0 : 1, 0, 0, 0);
          } else {
            counts.add(name, 0, 0, 0, 0, 1);
          }
          // a change of a unique key other than the primary key that a foreign key references:
          // its action is carried when the filter skipped the change or the target's keys are held
          // (otherwise the upsert fired the target's ON UPDATE action)
          if (!insert
              && !change.key().isEmpty()
              && cascades.referencedBeyondKey(t)
              && (!applyNew || session.carriesEveryAction())) {
            carry(tgt, out, t, tx, oldRow(t, change.key()), newRef, change.row(), touched, rows, 1);
          }
        }
      }
      case DELETE -> {
        touched.mark(t.table.source(), chunkOf(chunks, t, change.key()), tx.commit());
        String[] targetKey = t.keyValues(t.convertKey(change.key()));
        String[] oldRef = oldRow(t, change.key());
        rows.row(t.table.source(), t.sourceKeyTexts(change.key()), targetKey);
        if (copied(chunks, t.chunkKeyText(change.key()), tx)) {
          counts.add(name, 0, 0, 0, 0, 1);
          // the parent's chunk read the delete: its ON DELETE action is carried to the children
          carry(tgt, out, t, tx, oldRef, null, null, touched, rows, 1);
        } else {
          out.add(t.delete(), targetKey, null, null);
          counts.add(name, 0, 0, 1, 0, 0);
          if (session.carriesEveryAction()) { // the target's keys are held: nothing cascades
            carry(tgt, out, t, tx, oldRef, null, null, touched, rows, 1);
          }
        }
      }
      case TRUNCATE -> {
        touched.mark(t.table.source(), ChunkChanges.WHOLE_TABLE, tx.commit());
        rows.whole(t.table.source());
        out.flush();
        if (!change.truncated().equals(truncatedLast)) { // its statement's first table in scope
          truncate(tgt, change.truncated(), tx);
          truncatedLast = change.truncated();
        }
        counts.add(name, 0, 0, 0, 1, 0);
      }
    }
  }

  /**
   * The target values of {@code t}'s carried columns ({@link CascadeCarrier#carried}: its key and
   * the columns foreign keys reference) in an old row as the log carries it (a column it does not
   * carry: null, which carries nothing).
   */
  private String[] oldRow(TableChanges t, Map<String, Object> old) throws SQLException {
    List<String> cols = cascades.carried(t);
    if (cols.size() == t.table.primaryKey().size()) {
      return t.keyValues(t.convertKey(old));
    }
    return t.values(t.convertColumns(old, cols), cols);
  }

  /**
   * Carries the source's foreign-key action of a parent's delete ({@code newKey} null) or key
   * change (old and new values of its carried columns) to the children in the chunks behind {@code
   * tx} ({@link CascadeCarrier}), in this batch, in order; marks each child table touched. When the
   * applier carries every action (the target's keys held, {@link ApplySession#carriesEveryAction}),
   * a child row the carry deleted or whose key it moved is in turn a parent's change for its own
   * children: each such write runs alone with {@code RETURNING} the child keys it reached, and
   * their children are carried from them, down to {@link CascadeCarrier#MAX_DEPTH} levels ({@code
   * depth}: this parent's level, from 1).
   */
  private void carry(
      Connection tgt,
      Batcher out,
      TableChanges parent,
      SourceTransaction tx,
      String[] oldKey,
      String[] newKey,
      Map<String, Object> newRow,
      ChunkChanges.Pending touched,
      RowChanges.Pending rows,
      int depth)
      throws SQLException {
    for (CascadeCarrier.Reference r : cascades.references(parent)) {
      if (!CascadeCarrier.acts(r, newKey == null)) {
        continue;
      }
      TableChanges child = r.child();
      List<CascadeCarrier.Write> writes =
          cascades.carry(r, lookup(tgt, child), tx, oldKey, newKey, newRow, parent);
      if (writes.isEmpty()) {
        continue;
      }
      touched.mark(child.table.source(), ChunkChanges.WHOLE_TABLE, tx.commit());
      rows.whole(child.table.source());
      boolean deeper = session.carriesEveryAction() && actsOnAnyChild(child);
      for (CascadeCarrier.Write w : writes) {
        if (!deeper || !cascades.changesKeys(r, w)) {
          out.add(w.sql(), w.params(), null, null);
          continue;
        }
        out.flush();
        List<String[]> reached = returning(tgt, w.sql() + cascades.returning(child), w.params());
        if (!reached.isEmpty() && depth >= CascadeCarrier.MAX_DEPTH) {
          throw new MigrationException(
              ErrorCode.INVALID_ARTIFACT,
              "carrying the foreign-key actions of a change of table "
                  + parent.table.source()
                  + " (transaction "
                  + tx.xid()
                  + ") to table "
                  + child.table.source()
                  + " goes deeper than "
                  + CascadeCarrier.MAX_DEPTH
                  + " levels, which the source's own cascade refuses (MariaDB stops at 15): the"
                  + " mapping's foreign keys with ON DELETE/ON UPDATE CASCADE form a cycle, or"
                  + " differ from the source's; check them against the source's definitions");
        }
        for (String[] k : reached) {
          switch (w.effect()) {
            case DELETE -> carry(tgt, out, child, tx, k, null, null, touched, rows, depth + 1);
            case MOVE -> {
              String[] before = cascades.withReference(r, k, oldKey);
              carry(tgt, out, child, tx, before, k, sourceRow(child, k), touched, rows, depth + 1);
            }
            case MOVED_AWAY -> {
              String[] after = cascades.withReference(r, k, newKey);
              carry(
                  tgt, out, child, tx, k, after, sourceRow(child, after), touched, rows, depth + 1);
            }
            case SET -> {}
          }
        }
      }
    }
  }

  /** Whether a foreign key referencing {@code t} has an action for a delete or a key change. */
  private boolean actsOnAnyChild(TableChanges t) {
    for (CascadeCarrier.Reference r : cascades.references(t)) {
      if (CascadeCarrier.acts(r, true) || CascadeCarrier.acts(r, false)) {
        return true;
      }
    }
    return false;
  }

  /** Runs {@code sql} (ending in {@code RETURNING} a key as text) alone; the keys it returned. */
  private static List<String[]> returning(Connection tgt, String sql, String[] params)
      throws SQLException {
    List<String[]> out = new java.util.ArrayList<>();
    try (PreparedStatement ps = tgt.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        if (params[i] == null) {
          ps.setNull(i + 1, java.sql.Types.OTHER);
        } else {
          ps.setObject(i + 1, params[i], java.sql.Types.OTHER);
        }
      }
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          String[] key = new String[n];
          for (int i = 0; i < n; i++) {
            key[i] = rs.getString(i + 1);
          }
          out.add(key);
        }
      }
    }
    return out;
  }

  /**
   * A carried child's carried columns (target values: its key and referenced columns) as the source
   * row the carrier reads a new key's chunk from: each column's text under its source name.
   */
  private Map<String, Object> sourceRow(TableChanges t, String[] key) {
    Map<String, Object> out = new HashMap<>();
    List<String> pk = cascades.carried(t);
    for (int i = 0; i < pk.size(); i++) {
      String sourceName = t.table.byTarget(pk.get(i)).map(c -> c.source()).orElse(null);
      if (sourceName != null) {
        out.put(sourceName, key[i]);
      }
    }
    return out;
  }

  /**
   * The new row with each value the log left out (unchanged TOAST) taken from the old row when the
   * log carries it (a full before-image: {@code REPLICA IDENTITY FULL}).
   */
  private static Map<String, Object> withBeforeImage(
      Map<String, Object> row, Map<String, Object> before) {
    if (before.isEmpty() || !row.containsValue(RowChange.UNCHANGED)) {
      return row;
    }
    Map<String, Object> out = new java.util.LinkedHashMap<>(row);
    out.replaceAll(
        (k, v) ->
            v == RowChange.UNCHANGED
                    && before.containsKey(k)
                    && before.get(k) != RowChange.UNCHANGED
                ? before.get(k)
                : v);
    return out;
  }

  /** A full new row as an upsert, or an update of its known columns when the log left some out. */
  private static void upsert(Batcher out, TableChanges t, TableChanges.Converted row)
      throws SQLException {
    if (!row.anyUnchanged()) {
      out.add(t.upsert(), t.upsertParams(row), null, null);
      return;
    }
    String update = t.update(row.unchanged(), false);
    if (update != null) {
      out.add(update, t.updateParams(row, false, t.keyValues(row)), t, row);
    }
  }

  /**
   * The ledger chunk holding the row {@code values} (its chunk key), or {@link
   * ChunkChanges#WHOLE_TABLE} when the table has no ledger chunks or several chunks cut by a key
   * that is not a number (a re-validation hashes such a table whole anyway, and placing the row
   * would cost source round trips for a table copied without snapshots).
   */
  private static int chunkOf(ChunkLookup chunks, TableChanges t, Map<String, Object> values)
      throws SQLException {
    List<ChunkLookup.Chunk> all = chunks.chunks();
    if (all.isEmpty() || (all.size() > 1 && t.order() != KeyOrder.NUMERIC)) {
      return ChunkChanges.WHOLE_TABLE;
    }
    return chunks.chunkOf(t.chunkKeyText(values)).index();
  }

  /** Whether the copy of the row's chunk already holds {@code tx} (the hand-off filter). */
  private static boolean copied(ChunkLookup chunks, String chunkKey, SourceTransaction tx)
      throws SQLException {
    ChunkSnapshot s = chunks.snapshotOf(chunkKey);
    return s != null && s.includes(tx);
  }

  /**
   * One source TRUNCATE of the tables in {@code group}, in scope: for each, the ranges of the
   * chunks whose copy does not include it are emptied (a chunk that includes it was copied after
   * it, with whatever came later); the tables with every chunk behind it are emptied together in
   * one {@code TRUNCATE} (PostgreSQL refuses to truncate a table another table references unless
   * that table is truncated in the same statement), {@code CASCADE} only when the source cascaded.
   * When a table the target's foreign keys reference from a table not emptied with it remains (the
   * source truncated the parent alone: MariaDB/MySQL with {@code foreign_key_checks = 0}, whose
   * children keep their rows), the tables are emptied by {@code DELETE} with the target's keys
   * held, which fires no key action, as on the source; without the grant the stream stops naming
   * them.
   */
  private void truncate(Connection tgt, RowChange.Truncation group, SourceTransaction tx)
      throws SQLException {
    List<TableChanges> whole = new java.util.ArrayList<>();
    List<TableChanges> partial = new java.util.ArrayList<>();
    for (String name : group.tables()) {
      TableChanges t = table(name);
      if (t == null) {
        continue;
      }
      List<ChunkRange> ranges = rangesBehind(lookup(tgt, t), tx);
      if (ranges == null) {
        whole.add(t);
        continue;
      }
      partial.add(t);
      for (ChunkRange r : ranges) {
        try (PreparedStatement ps = tgt.prepareStatement(t.sql.targetDelete(r))) {
          TableSql.bindRange(ps, r);
          ps.executeUpdate();
        }
      }
    }
    if (whole.isEmpty()) {
      return;
    }
    // ONLY: a table-inheritance parent's TRUNCATE on the source empties its children only when
    // the source sent them too (as their own TRUNCATE, or in the same message)
    String from = String.join(", ", whole.stream().map(t -> t.sql.targetFrom()).toList());
    List<String[]> outside = referencedFromOutside(tgt, whole, partial);
    boolean cascade = group.cascade() && outside.stream().noneMatch(r -> r[2] != null);
    if (outside.isEmpty() || cascade) {
      try (Statement st = tgt.createStatement()) {
        st.execute("TRUNCATE " + from + (cascade ? " CASCADE" : ""));
      }
      return;
    }
    if (!session.holdsKeys()) {
      throw new MigrationException(
          ErrorCode.PERMANENT_SQL,
          "a streamed TRUNCATE of "
              + group.tables()
              + " (transaction "
              + tx.xid()
              + ") empties tables that the target's foreign keys reference from tables it does not"
              + " empty ("
              + String.join(", ", outside.stream().map(r -> r[0] + " -> " + r[1]).toList())
              + "): the source truncated them alone (MariaDB/MySQL with foreign_key_checks = 0"
              + " keeps the referencing rows), PostgreSQL refuses that TRUNCATE, and a DELETE"
              + " would fire the keys' ON DELETE actions, which the source did not. GRANT SET ON"
              + " PARAMETER session_replication_role TO <studio user> (PostgreSQL 15+; or make it"
              + " superuser) so the applier empties them with the keys held, then resume the"
              + " stream");
    }
    for (TableChanges t : whole) { // the keys are held: no action fires, the children stay
      try (Statement st = tgt.createStatement()) {
        st.execute("DELETE FROM " + t.sql.targetFrom());
      }
    }
  }

  /**
   * The target's foreign keys that reference a table of {@code whole} from a table not in it:
   * {@code [referencing, referenced, non-null when the referencing table is one of partial]}.
   */
  private static List<String[]> referencedFromOutside(
      Connection tgt, List<TableChanges> whole, List<TableChanges> partial) throws SQLException {
    String in = "(" + String.join(", ", whole.stream().map(t -> "CAST(? AS regclass)").toList());
    in += ")";
    String partialIn =
        partial.isEmpty()
            ? "false"
            : "c.conrelid IN ("
                + String.join(", ", partial.stream().map(t -> "CAST(? AS regclass)").toList())
                + ")";
    String sql =
        "SELECT CAST(c.conrelid AS regclass)::text, CAST(c.confrelid AS regclass)::text, "
            + partialIn
            + " FROM pg_constraint c WHERE c.contype = 'f' AND c.confrelid IN "
            + in
            + " AND c.conrelid NOT IN "
            + in
            + " ORDER BY 1, 2";
    List<String[]> out = new java.util.ArrayList<>();
    try (PreparedStatement ps = tgt.prepareStatement(sql)) {
      int i = 1;
      for (TableChanges t : partial) {
        ps.setString(i++, t.sql.targetTable());
      }
      for (int pass = 0; pass < 2; pass++) {
        for (TableChanges t : whole) {
          ps.setString(i++, t.sql.targetTable());
        }
      }
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new String[] {rs.getString(1), rs.getString(2), rs.getBoolean(3) ? "" : null});
        }
      }
    }
    return out;
  }

  /**
   * The ranges of the chunks whose copy does not include {@code tx}; null when that is every chunk
   * (or the table was copied without snapshots): the whole table.
   */
  private static List<ChunkRange> rangesBehind(ChunkLookup chunks, SourceTransaction tx) {
    if (!chunks.online()) {
      return null;
    }
    List<ChunkRange> ranges = new java.util.ArrayList<>();
    boolean all = true;
    for (ChunkLookup.Chunk c : chunks.chunks()) {
      if (c.snapshot() != null && ChunkSnapshot.parse(c.snapshot()).includes(tx)) {
        all = false;
      } else {
        ranges.add(new ChunkRange(c.index(), c.lo(), c.hi()));
      }
    }
    return all ? null : ranges;
  }

  private TableChanges table(String sourceTable) {
    if (tables.containsKey(sourceTable)) {
      return tables.get(sourceTable);
    }
    TableMapping tm = mapping.bySource(sourceTable).orElse(null);
    TableChanges t =
        tm == null ? null : new TableChanges(source, target, mapping, tm, sourceForOrder);
    tables.put(sourceTable, t);
    return t;
  }

  private ChunkLookup lookup(Connection tgt, TableChanges t) throws SQLException {
    ChunkLookup l = lookups.get(t.table.source());
    if (l == null) {
      l = ChunkLookup.load(tgt, ledger.chunkTable(), migration, t.table.source(), t.order());
      lookups.put(t.table.source(), l);
    }
    return l;
  }

  /** Forgets the chunk ledger read so far (after a chunk was copied again). */
  public void reloadLedger() {
    lookups.clear();
  }

  /** Per-table counts of one batch. */
  private static final class Counts {
    final Map<String, TableCounts> tables = new TreeMap<>();
    long ignored;

    void add(String table, long ins, long upd, long del, long trunc, long skip) {
      tables.merge(table, new TableCounts(ins, upd, del, trunc, skip), TableCounts::plus);
    }
  }

  /**
   * Sends statements in JDBC batches, in order: consecutive statements of one SQL text share a
   * batch, a different text sends the pending batch first. An update that must find its row (a row
   * with values the log left out) fails the batch when it found none.
   */
  private static final class Batcher implements AutoCloseable {
    private final Connection c;
    private final Map<String, PreparedStatement> prepared = new HashMap<>();
    private final List<Object[]> mustFind = new java.util.ArrayList<>();
    private PreparedStatement pending;
    private int size;

    Batcher(Connection c) {
      this.c = c;
    }

    void add(String sql, String[] params, TableChanges mustFindIn, TableChanges.Converted row)
        throws SQLException {
      PreparedStatement ps = prepared.get(sql);
      if (ps == null) {
        ps = c.prepareStatement(sql);
        prepared.put(sql, ps);
      }
      if (ps != pending) {
        flush();
        pending = ps;
      }
      for (int i = 0; i < params.length; i++) {
        if (params[i] == null) {
          ps.setNull(i + 1, java.sql.Types.OTHER);
        } else {
          ps.setObject(i + 1, params[i], java.sql.Types.OTHER);
        }
      }
      ps.addBatch();
      mustFind.add(mustFindIn == null ? null : new Object[] {mustFindIn, row});
      if (++size >= MAX_BATCH) {
        flush();
      }
    }

    void flush() throws SQLException {
      if (pending == null || size == 0) {
        return;
      }
      int[] counts = pending.executeBatch();
      for (int i = 0; i < counts.length; i++) {
        Object[] must = mustFind.get(i);
        if (must != null && counts[i] == 0) {
          TableChanges t = (TableChanges) must[0];
          TableChanges.Converted row = (TableChanges.Converted) must[1];
          throw new MigrationException(
              ErrorCode.INVALID_ARTIFACT,
              "a streamed update of table "
                  + t.table.source()
                  + " row "
                  + row.keyText()
                  + " leaves values out (unchanged TOAST values) but the target has no such row"
                  + " to keep them from; set REPLICA IDENTITY FULL on the source table, or copy"
                  + " the table again");
        }
      }
      mustFind.clear();
      size = 0;
    }

    @Override
    public void close() throws SQLException {
      for (PreparedStatement ps : prepared.values()) {
        ps.close();
      }
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      if (!c.isClosed() && !c.getAutoCommit()) {
        c.rollback();
      }
    } catch (SQLException e) {
      // the connection is broken: the server ended the transaction with it
    }
  }

  private static void restoreAutoCommit(Connection c, boolean autoCommit) {
    try {
      if (!c.isClosed() && c.getAutoCommit() != autoCommit) {
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      // the connection is broken; the caller will discard it
    }
  }
}
