package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * A trigger on a table (or view) of the source. {@code timing} is {@code BEFORE}, {@code AFTER} or
 * {@code INSTEAD OF}; {@code events} the firing events joined by {@code " OR "} in the order
 * INSERT, UPDATE, DELETE, TRUNCATE; {@code level} {@code ROW} or {@code STATEMENT}; {@code
 * definition} the source's own DDL (PostgreSQL {@code CREATE TRIGGER ...}, MariaDB and SQLite the
 * trigger body or statement).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TriggerInfo(
    String table, String name, String timing, String events, String level, String definition) {
  public TriggerInfo {
    Objects.requireNonNull(name, "trigger name is required");
    Objects.requireNonNull(table, "trigger table is required for trigger " + name);
  }
}
