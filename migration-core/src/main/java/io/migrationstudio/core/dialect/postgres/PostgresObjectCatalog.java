package io.migrationstudio.core.dialect.postgres;

import io.migrationstudio.core.schema.RoutineInfo;
import io.migrationstudio.core.schema.TriggerInfo;
import io.migrationstudio.core.schema.TypeInfo;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Reads the programmable objects of one schema from pg_catalog: triggers, routines and user-defined
 * types. Objects that belong to an extension ({@code pg_depend.deptype = 'e'}) are left out: they
 * come back with {@code CREATE EXTENSION}, not with a port.
 *
 * <ul>
 *   <li>Triggers: user triggers ({@code NOT tgisinternal}, so not the FK triggers) on relations of
 *       the schema accepted by the filter, without the clones PostgreSQL adds to partitions ({@code
 *       tgparentid <> 0}); timing, events and level decoded from {@code tgtype}, the definition
 *       from {@code pg_get_triggerdef}.
 *   <li>Routines: functions (incl. window functions), procedures and aggregates of {@code pg_proc};
 *       the definition from {@code pg_get_functiondef}, which refuses aggregates, so an aggregate's
 *       is built from {@code pg_aggregate} ({@code CREATE AGGREGATE ... (SFUNC, STYPE[, FINALFUNC,
 *       INITCOND])}).
 *   <li>Types: enums (labels in sort order), domains (base type, CHECK/NOT NULL constraints by
 *       name), free-standing composite types (not the row types of tables and views) and ranges
 *       (subtype); the array and multirange types PostgreSQL derives from them are not listed.
 * </ul>
 */
final class PostgresObjectCatalog {
  private static final Comparator<String> BY_NAME = Comparator.naturalOrder();

  private PostgresObjectCatalog() {}

  static List<TriggerInfo> triggers(Connection c, String schema, Predicate<String> filter)
      throws SQLException {
    String sql =
        """
        SELECT cl.relname, t.tgname, t.tgtype, pg_get_triggerdef(t.oid, true) AS definition
          FROM pg_trigger t
          JOIN pg_class cl ON cl.oid = t.tgrelid
          JOIN pg_namespace n ON n.oid = cl.relnamespace
         WHERE n.nspname = ? AND NOT t.tgisinternal AND t.tgparentid = 0
        """;
    List<TriggerInfo> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String table = rs.getString("relname");
          if (!filter.test(table)) {
            continue;
          }
          int type = rs.getInt("tgtype");
          out.add(
              new TriggerInfo(
                  table,
                  rs.getString("tgname"),
                  timing(type),
                  events(type),
                  (type & 1) != 0 ? "ROW" : "STATEMENT",
                  rs.getString("definition")));
        }
      }
    }
    out.sort(
        Comparator.comparing(TriggerInfo::table, BY_NAME)
            .thenComparing(TriggerInfo::name, BY_NAME));
    return out;
  }

  /** Timing bits of {@code tgtype} (src/include/catalog/pg_trigger.h): BEFORE 2, INSTEAD 64. */
  static String timing(int tgtype) {
    if ((tgtype & 64) != 0) {
      return "INSTEAD OF";
    }
    return (tgtype & 2) != 0 ? "BEFORE" : "AFTER";
  }

  /** Event bits of {@code tgtype}: INSERT 4, DELETE 8, UPDATE 16, TRUNCATE 32. */
  static String events(int tgtype) {
    List<String> events = new ArrayList<>();
    if ((tgtype & 4) != 0) {
      events.add("INSERT");
    }
    if ((tgtype & 16) != 0) {
      events.add("UPDATE");
    }
    if ((tgtype & 8) != 0) {
      events.add("DELETE");
    }
    if ((tgtype & 32) != 0) {
      events.add("TRUNCATE");
    }
    return String.join(" OR ", events);
  }

  static List<RoutineInfo> routines(Connection c, String schema) throws SQLException {
    String sql =
        """
        SELECT p.proname, p.prokind, l.lanname,
               pg_get_function_identity_arguments(p.oid) AS arguments,
               CASE WHEN p.prokind <> 'p' THEN pg_get_function_result(p.oid) END AS returns,
               CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS definition,
               CASE WHEN p.prokind = 'a' THEN
                 'CREATE AGGREGATE ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname)
                 || '(' || pg_get_function_identity_arguments(p.oid) || ') (SFUNC = '
                 || a.aggtransfn::regproc::text || ', STYPE = ' || format_type(a.aggtranstype, NULL)
                 || CASE WHEN a.aggfinalfn <> 0
                         THEN ', FINALFUNC = ' || a.aggfinalfn::regproc::text ELSE '' END
                 || CASE WHEN a.agginitval IS NOT NULL
                         THEN ', INITCOND = ' || quote_literal(a.agginitval) ELSE '' END
                 || ');'
               END AS aggregate_definition
          FROM pg_proc p
          JOIN pg_namespace n ON n.oid = p.pronamespace
          JOIN pg_language l ON l.oid = p.prolang
          LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
         WHERE n.nspname = ?
           AND NOT EXISTS (SELECT 1 FROM pg_depend d
                            WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                              AND d.deptype = 'e')
        """;
    List<RoutineInfo> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String kind =
              switch (rs.getString("prokind")) {
                case "p" -> "procedure";
                case "a" -> "aggregate";
                default -> "function"; // 'f' and window functions 'w'
              };
          String definition =
              kind.equals("aggregate")
                  ? rs.getString("aggregate_definition")
                  : rs.getString("definition");
          out.add(
              new RoutineInfo(
                  schema,
                  rs.getString("proname"),
                  kind,
                  rs.getString("lanname"),
                  rs.getString("arguments"),
                  rs.getString("returns"),
                  definition));
        }
      }
    }
    out.sort(
        Comparator.comparing(RoutineInfo::name, BY_NAME)
            .thenComparing(RoutineInfo::arguments, BY_NAME));
    return out;
  }

  static List<TypeInfo> types(Connection c, String schema) throws SQLException {
    String sql =
        """
        SELECT t.typname, t.typtype,
               ARRAY(SELECT e.enumlabel::text FROM pg_enum e
                      WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels,
               ARRAY(SELECT quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                       FROM pg_attribute a
                      WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
                      ORDER BY a.attnum) AS attributes,
               CASE t.typtype
                    WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod)
                    WHEN 'r' THEN (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r
                                    WHERE r.rngtypid = t.oid) END AS base_type,
               (SELECT string_agg(pg_get_constraintdef(co.oid, true), ' AND ' ORDER BY co.conname)
                  FROM pg_constraint co WHERE co.contypid = t.oid) AS domain_constraint,
               t.typnotnull
          FROM pg_type t
          JOIN pg_namespace n ON n.oid = t.typnamespace
          LEFT JOIN pg_class rel ON rel.oid = t.typrelid
         WHERE n.nspname = ? AND t.typtype IN ('e', 'd', 'c', 'r')
           AND (t.typtype <> 'c' OR rel.relkind = 'c')
           AND NOT EXISTS (SELECT 1 FROM pg_depend d
                            WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                              AND d.deptype = 'e')
        """;
    List<TypeInfo> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String typtype = rs.getString("typtype");
          String kind =
              switch (typtype) {
                case "e" -> "enum";
                case "d" -> "domain";
                case "c" -> "composite";
                default -> "range";
              };
          List<String> values =
              switch (kind) {
                case "enum" -> strings(rs.getArray("labels"));
                case "composite" -> strings(rs.getArray("attributes"));
                default -> List.of();
              };
          String constraint = rs.getString("domain_constraint");
          if (kind.equals("domain")
              && rs.getBoolean("typnotnull")
              && (constraint == null || !constraint.contains("NOT NULL"))) {
            constraint = constraint == null ? "NOT NULL" : "NOT NULL AND " + constraint;
          }
          out.add(
              new TypeInfo(
                  schema,
                  rs.getString("typname"),
                  kind,
                  values,
                  rs.getString("base_type"),
                  kind.equals("domain") ? constraint : null));
        }
      }
    }
    out.sort(Comparator.comparing(TypeInfo::name, BY_NAME));
    return out;
  }

  private static List<String> strings(Array array) throws SQLException {
    if (array == null) {
      return List.of();
    }
    try {
      return Arrays.asList((String[]) array.getArray());
    } finally {
      array.free();
    }
  }
}
