package io.migrationstudio.core.cdc.apply;

import io.migrationstudio.core.cdc.ChunkSnapshot;
import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.schema.ForeignKey;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Carries a source foreign key's {@code ON DELETE} / {@code ON UPDATE} action to the children on
 * the target when the hand-off filter skipped the parent's delete or key change (the parent's chunk
 * already held it), or applies only part of a key change; and for every parent delete and key
 * change when the applier holds the target's foreign keys for a MariaDB/MySQL source ({@link
 * ApplySession#carriesEveryAction}: replica mode, where the target's own actions do not fire).
 * MariaDB/MySQL do not write the rows a cascade changed to the binlog, so nothing else would repair
 * children copied before the change. A carried delete or key move is in turn a parent's change for
 * the child's own children ({@link Effect}; the applier follows it down to {@link #MAX_DEPTH}
 * levels, self-referencing keys included).
 *
 * <p><b>Which child rows.</b> Only rows of child chunks whose snapshot does not include the
 * parent's transaction ("behind" it): the stream applied every change of those chunks committed
 * after their read and before this transaction, so their rows on the target are the source's rows
 * just before it, and those with the old key are exactly the rows the source's cascade changed. A
 * chunk whose snapshot includes the transaction was read after it: it holds the cascade's result,
 * and a row with the old key there is a later one (the key used again) that must stay.
 *
 * <p><b>Actions</b>, from the mapping's foreign keys (the source's definitions in target names):
 * {@code CASCADE} on delete deletes the children; {@code SET NULL} / {@code SET DEFAULT} set their
 * reference; {@code CASCADE} on update moves them to the new key, or deletes them when the
 * reference is the child's chunk key and the new key's child chunk already holds them (read after
 * the change); {@code RESTRICT} / {@code NO ACTION}: nothing (the source refused the change while
 * children existed).
 *
 * <p><b>Referenced columns.</b> A foreign key may reference the parent's primary key or another
 * unique key. A parent's row is carried as its <em>carried columns</em> ({@link #carried}): its
 * primary key, then every other column a mapped foreign key references; a reference is carried when
 * the values of its columns change (a delete, or an update that changes them, whether or not the
 * primary key changes). The old values come from the change's before-image (MariaDB/MySQL: the full
 * row, {@code binlog_row_image = FULL}); a reference whose old values the log does not carry (a
 * PostgreSQL source without {@code REPLICA IDENTITY FULL}, whose log carries the cascaded rows
 * itself) or holds a NULL is not carried (a NULL references nothing).
 */
final class CascadeCarrier {
  /**
   * A foreign key of {@code child} referencing the parent; {@code parentKey[i]}: the index of fk
   * column i's referenced column in the parent's {@link #carried} columns.
   */
  record Reference(TableChanges child, ForeignKey fk, int[] parentKey) {}

  /**
   * One statement, bound as the applier binds (text, typed by the server), and what it does to the
   * child rows it reaches ({@link Effect}), which decides what their own children see.
   */
  record Write(String sql, String[] params, Effect effect) {}

  /** What a carried write does to the child rows it reaches. */
  enum Effect {
    /** Deleted ({@code ON DELETE CASCADE}): their children see a delete. */
    DELETE,
    /** Moved to the new key ({@code ON UPDATE CASCADE}): a key change if the reference is keyed. */
    MOVE,
    /** Deleted because the new key's chunk holds them moved: their children see a key change. */
    MOVED_AWAY,
    /** Their reference set to null or its default: their own key stays. */
    SET
  }

  /**
   * Deepest chain of carried actions (a parent's change, its children's, their children's...):
   * MariaDB's InnoDB stops a cascade at 15 levels, so a deeper chain is a cycle of keys.
   */
  static final int MAX_DEPTH = 16;

  private final MappingDocument mapping;
  private final Dialect target;
  private final Function<String, TableChanges> tables;
  private final Map<String, List<Reference>> references = new HashMap<>();
  private final Map<String, List<String>> carried = new HashMap<>();

  CascadeCarrier(MappingDocument mapping, Dialect target, Function<String, TableChanges> tables) {
    this.mapping = mapping;
    this.target = target;
    this.tables = tables;
  }

  /**
   * {@code t}'s carried columns (target names): its primary key in key order, then each other
   * column a mapped foreign key references, in the mapping's order.
   */
  List<String> carried(TableChanges t) {
    return carried.computeIfAbsent(
        t.table.source(),
        k -> {
          LinkedHashSet<String> out = new LinkedHashSet<>(t.table.primaryKey());
          for (TableMapping m : mapping.tables()) {
            for (ForeignKey fk : m.foreignKeys()) {
              if (fk.refTable().equals(t.table.target())) {
                out.addAll(fk.refColumns());
              }
            }
          }
          return List.copyOf(out);
        });
  }

  /** Whether a foreign key references {@code t} by columns other than its primary key. */
  boolean referencedBeyondKey(TableChanges t) {
    return carried(t).size() > t.table.primaryKey().size();
  }

  /** The mapped foreign keys that reference {@code parent} (its primary key or a unique key). */
  List<Reference> references(TableChanges parent) {
    return references.computeIfAbsent(
        parent.table.source(),
        k -> {
          List<String> cols = carried(parent);
          List<Reference> out = new ArrayList<>();
          for (TableMapping t : mapping.tables()) {
            for (ForeignKey fk : t.foreignKeys()) {
              if (!fk.refTable().equals(parent.table.target())) {
                continue;
              }
              int[] idx = new int[fk.refColumns().size()];
              for (int i = 0; i < idx.length; i++) {
                idx[i] = cols.indexOf(fk.refColumns().get(i));
              }
              out.add(new Reference(tables.apply(t.source()), fk, idx));
            }
          }
          return List.copyOf(out);
        });
  }

  private static String action(String rule) {
    return rule.trim().toUpperCase(Locale.ROOT).replace('_', ' ');
  }

  /** Whether {@code r}'s action for a delete ({@code newKey} null) or key change does anything. */
  static boolean acts(Reference r, boolean delete) {
    String a = action(delete ? r.fk().onDelete() : r.fk().onUpdate());
    return a.equals("CASCADE") || a.equals("SET NULL") || a.equals("SET DEFAULT");
  }

  /**
   * The writes that carry {@code tx}'s delete of the parent row {@code oldKey} ({@code newKey}
   * null) or its change to {@code newKey} (target values of the parent's {@link #carried} columns)
   * to {@code r}'s children in the chunks behind {@code tx}; nothing when the referenced values did
   * not change or are unknown or NULL. {@code newSourceRow} is the parent's new row as the source
   * sent it (to find the new key's child chunk).
   */
  List<Write> carry(
      Reference r,
      ChunkLookup chunks,
      SourceTransaction tx,
      String[] oldKey,
      String[] newKey,
      Map<String, Object> newSourceRow,
      TableChanges parent)
      throws SQLException {
    boolean delete = newKey == null;
    String a = action(delete ? r.fk().onDelete() : r.fk().onUpdate());
    String[] oldRef = refs(r, oldKey);
    if (!acts(r, delete)
        || Arrays.asList(oldRef).contains(null)
        || (!delete && Arrays.equals(oldRef, refs(r, newKey)))) {
      return List.of();
    }
    List<Range> behind = behind(chunks, tx);
    if (behind.isEmpty()) {
      return List.of();
    }
    TableChanges child = r.child();
    List<String> cols = r.fk().columns();
    boolean remove = a.equals("CASCADE") && delete;
    if (a.equals("CASCADE")
        && !delete
        && movesToACopiedChunk(r, chunks, tx, newSourceRow, parent)) {
      remove = true; // the copy of the new key's chunk already holds the moved rows
    }
    StringBuilder head = new StringBuilder();
    List<String> setParams = new ArrayList<>();
    if (remove) {
      head.append("DELETE FROM ").append(child.sql.targetFrom());
    } else {
      head.append("UPDATE ").append(child.sql.targetFrom()).append(" SET ");
      for (int i = 0; i < cols.size(); i++) {
        head.append(i == 0 ? "" : ", ").append(target.quote(cols.get(i))).append(" = ");
        if (a.equals("CASCADE")) {
          head.append('?');
          setParams.add(newKey[r.parentKey()[i]]);
        } else {
          head.append(a.equals("SET NULL") ? "NULL" : "DEFAULT");
        }
      }
    }
    head.append(" WHERE ");
    for (int i = 0; i < cols.size(); i++) {
      head.append(i == 0 ? "" : " AND ").append(target.quote(cols.get(i))).append(" = ?");
    }
    Effect effect =
        remove
            ? (delete ? Effect.DELETE : Effect.MOVED_AWAY)
            : a.equals("CASCADE") ? Effect.MOVE : Effect.SET;
    List<Write> out = new ArrayList<>();
    ColumnMapping chunkKey = child.sql.chunkKey().orElse(null);
    for (Range range : behind) {
      StringBuilder sql = new StringBuilder(head);
      List<String> params = new ArrayList<>(setParams);
      params.addAll(List.of(oldRef));
      if (chunkKey != null) {
        String col = target.quote(chunkKey.target());
        String bound = "CAST(? AS " + chunkKey.type() + ")";
        if (range.lo() != null) {
          sql.append(" AND ").append(col).append(" >= ").append(bound);
          params.add(range.lo());
        }
        if (range.hi() != null) {
          sql.append(" AND ").append(col).append(" < ").append(bound);
          params.add(range.hi());
        }
      }
      out.add(new Write(sql.toString(), params.toArray(new String[0]), effect));
    }
    return out;
  }

  /**
   * Whether {@code w}'s rows are a change their own children must see: deleted, or moved when the
   * reference is one of the child's carried columns (its key, or a column a key references).
   */
  boolean changesKeys(Reference r, Write w) {
    return switch (w.effect()) {
      case DELETE, MOVED_AWAY -> true;
      case MOVE -> keyed(r);
      case SET -> false;
    };
  }

  private boolean keyed(Reference r) {
    for (String c : r.fk().columns()) {
      if (carried(r.child()).contains(c)) {
        return true;
      }
    }
    return false;
  }

  /** {@code RETURNING} the child's {@link #carried} columns as text, in their order. */
  String returning(TableChanges child) {
    StringBuilder sb = new StringBuilder(" RETURNING ");
    List<String> pk = carried(child);
    for (int i = 0; i < pk.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append("CAST(").append(target.quote(pk.get(i)));
      sb.append(" AS text)");
    }
    return sb.toString();
  }

  /**
   * A child's carried columns with the reference's columns among them set to the parent's {@code
   * parentKey} values (carried columns): the child's before a move from what a {@code RETURNING}
   * gave after it, or after a move from what it gave before.
   */
  String[] withReference(Reference r, String[] childKey, String[] parentKey) {
    String[] out = childKey.clone();
    List<String> pk = carried(r.child());
    for (int i = 0; i < r.fk().columns().size(); i++) {
      int at = pk.indexOf(r.fk().columns().get(i));
      if (at >= 0) {
        out[at] = parentKey[r.parentKey()[i]];
      }
    }
    return out;
  }

  private static String[] refs(Reference r, String[] key) {
    String[] out = new String[r.parentKey().length];
    for (int i = 0; i < out.length; i++) {
      out[i] = key[r.parentKey()[i]];
    }
    return out;
  }

  /** A run of consecutive chunks behind a transaction, {@code [lo, hi)} (null: unbounded). */
  record Range(String lo, String hi) {}

  /**
   * The child's chunks whose copy does not include {@code tx}, consecutive ones merged; one
   * unbounded range when the table has no chunks or none recorded a snapshot (copied in bulk).
   */
  static List<Range> behind(ChunkLookup chunks, SourceTransaction tx) {
    List<ChunkLookup.Chunk> all = chunks.chunks();
    if (all.isEmpty() || !chunks.online()) {
      return List.of(new Range(null, null));
    }
    List<Range> out = new ArrayList<>();
    String lo = null;
    boolean open = false;
    for (ChunkLookup.Chunk c : all) {
      boolean isBehind = c.snapshot() == null || !ChunkSnapshot.parse(c.snapshot()).includes(tx);
      if (isBehind && !open) {
        lo = c.lo();
        open = true;
      } else if (!isBehind && open) {
        out.add(new Range(lo, c.lo()));
        open = false;
      }
    }
    if (open) {
      out.add(new Range(lo, all.get(all.size() - 1).hi()));
    }
    return out;
  }

  /**
   * Whether the child's chunk key is one of the reference's columns and the child chunk of its new
   * value read {@code tx} already: the moved rows are in that chunk's copy.
   */
  private static boolean movesToACopiedChunk(
      Reference r,
      ChunkLookup chunks,
      SourceTransaction tx,
      Map<String, Object> newSourceRow,
      TableChanges parent)
      throws SQLException {
    ColumnMapping chunkKey = r.child().sql.chunkKey().orElse(null);
    if (chunkKey == null || !chunks.online() || chunks.chunks().isEmpty()) {
      return false;
    }
    int i = r.fk().columns().indexOf(chunkKey.target());
    if (i < 0) {
      return false;
    }
    String parentColumn = r.fk().refColumns().get(i);
    ColumnMapping pc = parent.table.byTarget(parentColumn).orElse(null);
    Object value = pc == null || pc.source() == null ? null : newSourceRow.get(pc.source());
    if (value == null) {
      return false;
    }
    String text =
        value instanceof byte[] b
            ? "\\x" + java.util.HexFormat.of().formatHex(b)
            : value.toString();
    ChunkLookup.Chunk dest = chunks.chunkOf(text);
    return dest.snapshot() != null && ChunkSnapshot.parse(dest.snapshot()).includes(tx);
  }
}
