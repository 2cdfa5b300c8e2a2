package io.migrationstudio.core.cdc;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One row's change in a source transaction.
 *
 * <p>{@code table} is the source table's name as the mapping's {@code TableMapping.source()} spells
 * it. Values are what the source server would send as text for the column (PostgreSQL's output
 * function, MariaDB's text protocol), so the copy's own reading and conversion apply to them
 * unchanged: a {@link String}, a {@code byte[]} for binary columns (raw bytes, not hex), or {@code
 * null} for SQL NULL. {@link #UNCHANGED} stands for a value the log does not carry because it did
 * not change (PostgreSQL's unchanged TOAST marker): the applier keeps the target's value.
 *
 * <ul>
 *   <li>INSERT: {@code row} is the new row, {@code key} empty.
 *   <li>UPDATE: {@code row} is the new row; {@code key} is the old key when the log carries it (a
 *       key-changing update, or a full before-image), else empty (the key did not change).
 *   <li>DELETE: {@code key} holds at least the key columns of the old row, {@code row} empty.
 *   <li>TRUNCATE: both empty; {@code truncated} names every table of the source's one statement
 *       (this one among them; PostgreSQL sends them in one message, the cascaded ones included) and
 *       whether it cascaded. Null for the other kinds.
 * </ul>
 *
 * Maps keep the source's column order.
 */
public record RowChange(
    ChangeKind kind,
    String table,
    Map<String, Object> key,
    Map<String, Object> row,
    Truncation truncated) {
  /**
   * The tables one source {@code TRUNCATE} emptied together (source names, in the log's order), and
   * whether it cascaded to the tables referencing them.
   */
  public record Truncation(List<String> tables, boolean cascade) {
    public Truncation {
      tables = List.copyOf(tables);
      if (tables.isEmpty()) {
        throw new IllegalArgumentException("a TRUNCATE empties at least one table");
      }
    }
  }

  /** The value of a column the log does not carry because it did not change. */
  public static final Object UNCHANGED =
      new Object() {
        @Override
        public String toString() {
          return "UNCHANGED";
        }
      };

  public RowChange(
      ChangeKind kind, String table, Map<String, Object> key, Map<String, Object> row) {
    this(kind, table, key, row, kind == ChangeKind.TRUNCATE ? alone(table) : null);
  }

  private static Truncation alone(String table) {
    return new Truncation(
        List.of(Objects.requireNonNull(table, "change table is required")), false);
  }

  public RowChange {
    Objects.requireNonNull(kind, "change kind is required");
    Objects.requireNonNull(table, "change table is required");
    key = ordered(key);
    row = ordered(row);
    switch (kind) {
      case INSERT, UPDATE -> {
        if (row.isEmpty()) {
          throw new IllegalArgumentException(kind + " of " + table + " has no new row");
        }
      }
      case DELETE -> {
        if (key.isEmpty()) {
          throw new IllegalArgumentException("DELETE of " + table + " has no key");
        }
      }
      case TRUNCATE -> {
        if (!key.isEmpty() || !row.isEmpty()) {
          throw new IllegalArgumentException("TRUNCATE of " + table + " carries no row");
        }
        if (truncated == null || !truncated.tables().contains(table)) {
          throw new IllegalArgumentException(
              "TRUNCATE of " + table + " names the tables truncated with it, itself among them");
        }
      }
    }
  }

  /** Null values are legal (SQL NULL): copies in order without {@code Map.copyOf}. */
  private static Map<String, Object> ordered(Map<String, Object> values) {
    return values == null || values.isEmpty()
        ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public static RowChange insert(String table, Map<String, Object> row) {
    return new RowChange(ChangeKind.INSERT, table, Map.of(), row);
  }

  public static RowChange update(
      String table, Map<String, Object> oldKey, Map<String, Object> row) {
    return new RowChange(ChangeKind.UPDATE, table, oldKey, row);
  }

  public static RowChange delete(String table, Map<String, Object> oldKey) {
    return new RowChange(ChangeKind.DELETE, table, oldKey, Map.of());
  }

  /** A TRUNCATE of {@code table} alone, not cascaded (a MariaDB/MySQL statement: one table). */
  public static RowChange truncate(String table) {
    return new RowChange(ChangeKind.TRUNCATE, table, Map.of(), Map.of());
  }

  /** {@code table}'s part of one TRUNCATE of {@code together} (cascaded or not). */
  public static RowChange truncate(String table, List<String> together, boolean cascade) {
    return new RowChange(
        ChangeKind.TRUNCATE, table, Map.of(), Map.of(), new Truncation(together, cascade));
  }
}
