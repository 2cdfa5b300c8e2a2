package io.migrationstudio.core.mapping;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.migrationstudio.core.schema.SequenceOptions;

/**
 * A sequence of the mapping. {@code source}: the source sequence's name; {@code target}: the target
 * sequence's name. {@code table} and {@code column}, when set, are TARGET names: the target table
 * and target column (as {@link TableMapping#target()} and {@link ColumnMapping#target()} spell
 * them) whose copied keys the sequence is set past after the load. When that column is an {@link
 * ColumnMapping#identity() identity}, the identity's own sequence is set and {@code target} is not
 * created; otherwise the sequence {@code target} is created in the target schema. Both null: a
 * free-standing sequence, created with the source's {@code options} (increment, bounds, start,
 * cache, cycle; PostgreSQL's defaults when null) and set to the source sequence's current value
 * when the load ends.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SequenceMapping(
    String source, String target, String table, String column, SequenceOptions options) {

  /** A sequence without declared parameters. */
  public SequenceMapping(String source, String target, String table, String column) {
    this(source, target, table, column, null);
  }

  /** Whether the sequence is owned by no copied column: its value comes from the source's. */
  public boolean freeStanding() {
    return table == null;
  }
}
