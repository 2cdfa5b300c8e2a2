package io.migrationstudio.core.dialect.mariadb;

import io.migrationstudio.core.schema.RoutineInfo;
import io.migrationstudio.core.schema.TriggerInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads the triggers and stored routines of one MySQL/MariaDB database from {@code
 * information_schema.TRIGGERS}, {@code ROUTINES} and {@code PARAMETERS}. MySQL has no user-defined
 * types (enum and set are column types), so there are none to read.
 *
 * <p>A trigger's definition is rebuilt as {@code CREATE TRIGGER name timing event ON table FOR EACH
 * ROW statement}; a routine's as its body ({@code ROUTINE_DEFINITION}, null when the user lacks the
 * privilege to see it), its arguments as {@code IN name type, ...} from PARAMETERS.
 */
final class MariaDbObjectCatalog {
  private static final Comparator<String> BY_NAME = Comparator.naturalOrder();

  private MariaDbObjectCatalog() {}

  static List<TriggerInfo> triggers(
      MariaDbDialect dialect, Connection c, String db, Predicate<String> filter)
      throws SQLException {
    String sql =
        """
        SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION,
               ACTION_ORIENTATION, ACTION_STATEMENT
          FROM information_schema.TRIGGERS
         WHERE TRIGGER_SCHEMA = ? AND CAST(TRIGGER_SCHEMA AS BINARY) = CAST(? AS BINARY)
        """;
    List<TriggerInfo> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      MariaDbCatalog.bindSchema(ps, db);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String table = rs.getString("EVENT_OBJECT_TABLE");
          if (!filter.test(table)) {
            continue;
          }
          String name = rs.getString("TRIGGER_NAME");
          String timing = rs.getString("ACTION_TIMING");
          String event = rs.getString("EVENT_MANIPULATION");
          String level = rs.getString("ACTION_ORIENTATION");
          out.add(
              new TriggerInfo(
                  table,
                  name,
                  timing,
                  event,
                  level,
                  "CREATE TRIGGER "
                      + dialect.quote(name)
                      + " "
                      + timing
                      + " "
                      + event
                      + " ON "
                      + dialect.quote(table)
                      + " FOR EACH "
                      + level
                      + " "
                      + rs.getString("ACTION_STATEMENT")));
        }
      }
    }
    out.sort(
        Comparator.comparing(TriggerInfo::table, BY_NAME)
            .thenComparing(TriggerInfo::name, BY_NAME));
    return out;
  }

  static List<RoutineInfo> routines(MariaDbDialect dialect, Connection c, String db)
      throws SQLException {
    Map<List<String>, List<String>> arguments = new HashMap<>();
    String params =
        """
        SELECT SPECIFIC_NAME, ROUTINE_TYPE, PARAMETER_MODE, PARAMETER_NAME, DTD_IDENTIFIER
          FROM information_schema.PARAMETERS
         WHERE SPECIFIC_SCHEMA = ? AND CAST(SPECIFIC_SCHEMA AS BINARY) = CAST(? AS BINARY) AND ORDINAL_POSITION > 0
         ORDER BY SPECIFIC_NAME, ROUTINE_TYPE, ORDINAL_POSITION
        """;
    try (PreparedStatement ps = c.prepareStatement(params)) {
      MariaDbCatalog.bindSchema(ps, db);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String mode = rs.getString("PARAMETER_MODE");
          String argument =
              (mode == null ? "" : mode + " ")
                  + dialect.quote(rs.getString("PARAMETER_NAME"))
                  + " "
                  + rs.getString("DTD_IDENTIFIER");
          arguments
              .computeIfAbsent(
                  List.of(rs.getString("SPECIFIC_NAME"), rs.getString("ROUTINE_TYPE")),
                  k -> new ArrayList<>())
              .add(argument);
        }
      }
    }
    String sql =
        """
        SELECT ROUTINE_NAME, ROUTINE_TYPE, EXTERNAL_LANGUAGE, DTD_IDENTIFIER, ROUTINE_DEFINITION
          FROM information_schema.ROUTINES
         WHERE ROUTINE_SCHEMA = ? AND CAST(ROUTINE_SCHEMA AS BINARY) = CAST(? AS BINARY) AND ROUTINE_TYPE IN ('FUNCTION', 'PROCEDURE')
        """;
    List<RoutineInfo> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      MariaDbCatalog.bindSchema(ps, db);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString("ROUTINE_NAME");
          String type = rs.getString("ROUTINE_TYPE");
          String language = rs.getString("EXTERNAL_LANGUAGE");
          out.add(
              new RoutineInfo(
                  db,
                  name,
                  type.toLowerCase(Locale.ROOT),
                  language == null ? "SQL" : language,
                  String.join(", ", arguments.getOrDefault(List.of(name, type), List.of())),
                  type.equals("FUNCTION") ? rs.getString("DTD_IDENTIFIER") : null,
                  rs.getString("ROUTINE_DEFINITION")));
        }
      }
    }
    out.sort(
        Comparator.comparing(RoutineInfo::name, BY_NAME).thenComparing(RoutineInfo::kind, BY_NAME));
    return out;
  }
}
