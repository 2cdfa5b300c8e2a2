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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Carries a source foreign key's {@code ON DELETE} / {@code ON UPDATE} action to the children on
 * the target when the hand-off filter skipped the parent's delete or key change (the parent's chunk
 * already held it), or applies only part of a key change. MariaDB/MySQL do not write the rows a
 * cascade changed to the binlog, so nothing else would repair children copied before the change.
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
 * children existed). Only foreign keys that reference the parent's primary key are carried.
 */
final class CascadeCarrier {
  /** A foreign key of {@code child} referencing the parent; {@code parentKey[i]}: fk column i. */
  record Reference(TableChanges child, ForeignKey fk, int[] parentKey) {}

  /** One statement, bound as the applier binds (text, typed by the server). */
  record Write(String sql, String[] params) {}

  private final MappingDocument mapping;
  private final Dialect target;
  private final Function<String, TableChanges> tables;
  private final Map<String, List<Reference>> references = new HashMap<>();

  CascadeCarrier(MappingDocument mapping, Dialect target, Function<String, TableChanges> tables) {
    this.mapping = mapping;
    this.target = target;
    this.tables = tables;
  }

  /** The mapped foreign keys that reference {@code parent}'s primary key. */
  List<Reference> references(TableChanges parent) {
    return references.computeIfAbsent(
        parent.table.source(),
        k -> {
          List<String> pk = parent.table.primaryKey();
          List<Reference> out = new ArrayList<>();
          for (TableMapping t : mapping.tables()) {
            for (ForeignKey fk : t.foreignKeys()) {
              if (!fk.refTable().equals(parent.table.target())
                  || fk.refColumns().size() != pk.size()
                  || !new HashSet<>(fk.refColumns()).equals(new HashSet<>(pk))) {
                continue;
              }
              int[] idx = new int[fk.refColumns().size()];
              for (int i = 0; i < idx.length; i++) {
                idx[i] = pk.indexOf(fk.refColumns().get(i));
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
   * The writes that carry {@code tx}'s delete of the parent key {@code oldKey} ({@code newKey}
   * null) or its move to {@code newKey} (target key values in primary key order) to {@code r}'s
   * children in the chunks behind {@code tx}; {@code newSourceRow} is the parent's new row as the
   * source sent it (to find the new key's child chunk).
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
    List<Range> behind = behind(chunks, tx);
    if (behind.isEmpty() || !acts(r, delete)) {
      return List.of();
    }
    TableChanges child = r.child();
    List<String> cols = r.fk().columns();
    String[] oldRef = refs(r, oldKey);
    boolean remove = a.equals("CASCADE") && delete;
    if (a.equals("CASCADE")
        && !delete
        && movesToACopiedChunk(r, chunks, tx, newSourceRow, parent)) {
      remove = true; // the copy of the new key's chunk already holds the moved rows
    }
    StringBuilder head = new StringBuilder();
    List<String> setParams = new ArrayList<>();
    if (remove) {
      head.append("DELETE FROM ").append(child.sql.targetTable());
    } else {
      head.append("UPDATE ").append(child.sql.targetTable()).append(" SET ");
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
      out.add(new Write(sql.toString(), params.toArray(new String[0])));
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
