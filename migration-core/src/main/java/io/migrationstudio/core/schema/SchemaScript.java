package io.migrationstudio.core.schema;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The objects of a source schema beyond tables, keys and indexes, as the source server itself
 * spells them ({@code pg_get_functiondef}, {@code pg_get_viewdef}, ...), in pg_dump's sections and
 * in dependency order, for a target of the same engine:
 *
 * <ul>
 *   <li>{@code beforeTables} (pre-data): extensions, types (enum, domain, composite, range) and the
 *       routines that need no table;
 *   <li>{@code partitionBy}: the {@code PARTITION BY} clause of each partitioned table, by source
 *       table name (the table itself is created from the mapping);
 *   <li>{@code afterTables} (pre-data): partitions with their bounds, CHECK constraints, routines
 *       that use a table's row type, views, materialized views ({@code WITH NO DATA}), comments;
 *   <li>{@code afterData} (post-data): each partition's own indexes and constraints, exclusion
 *       constraints, the materialized views' indexes and refresh, triggers (so they do not fire
 *       during the load), rules, row-level security policies and {@code ENABLE ROW LEVEL SECURITY}.
 * </ul>
 *
 * Every statement is idempotent ({@code IF NOT EXISTS}, {@code OR REPLACE} or a {@code DO} block
 * that checks the catalog). {@code notCarried} names what was read but cannot be expressed, with
 * why. {@code sourceVersion} is the source server's version (e.g. {@code 17.7}; null when unknown):
 * the reason given for an object a target of an older major version refuses says so.
 */
public record SchemaScript(
    List<Statement> beforeTables,
    Map<String, String> partitionBy,
    List<Statement> afterTables,
    List<Statement> afterData,
    List<NotCarried> notCarried,
    String sourceVersion) {
  public static final SchemaScript EMPTY =
      new SchemaScript(List.of(), Map.of(), List.of(), List.of(), List.of());

  public SchemaScript {
    beforeTables = List.copyOf(beforeTables);
    partitionBy = Map.copyOf(partitionBy);
    afterTables = List.copyOf(afterTables);
    afterData = List.copyOf(afterData);
    notCarried = List.copyOf(notCarried);
  }

  /** A script whose source version is unknown. */
  public SchemaScript(
      List<Statement> beforeTables,
      Map<String, String> partitionBy,
      List<Statement> afterTables,
      List<Statement> afterData,
      List<NotCarried> notCarried) {
    this(beforeTables, partitionBy, afterTables, afterData, notCarried, null);
  }

  public boolean isEmpty() {
    return beforeTables.isEmpty()
        && partitionBy.isEmpty()
        && afterTables.isEmpty()
        && afterData.isEmpty()
        && notCarried.isEmpty();
  }

  /** This script with {@code sourceTable} marked partitioned (by a clause it does not know). */
  public SchemaScript withPartitioned(String sourceTable) {
    Map<String, String> p = new java.util.HashMap<>(partitionBy);
    p.putIfAbsent(sourceTable, "");
    return new SchemaScript(beforeTables, p, afterTables, afterData, notCarried, sourceVersion);
  }

  /** Whether {@code sourceTable} is a partitioned table. */
  public boolean partitioned(String sourceTable) {
    return partitionBy.containsKey(sourceTable);
  }

  /**
   * One object's DDL: {@code kind} ({@code extension}, {@code type}, {@code function}, {@code
   * view}, {@code trigger}, ...), the object's qualified {@code name}, the {@code sql} to run, and
   * an optional {@code note} for the reader of target-schema.sql (e.g. the source's extension
   * version).
   */
  public record Statement(String kind, String name, String sql, String note) {
    public Statement {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(sql, "sql");
    }

    public Statement(String kind, String name, String sql) {
      this(kind, name, sql, null);
    }
  }

  /**
   * An object that is not created on the target: its kind, name, why, and what to do. Named in
   * {@code run.md}, never dropped silently.
   */
  public record NotCarried(String kind, String name, String reason) {
    public NotCarried {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
      return kind + " " + name + ": " + reason;
    }
  }
}
