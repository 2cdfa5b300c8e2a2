package io.migrationstudio.core.mapping;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A sequence of the mapping. {@code source}: the source sequence's name; {@code target}: the target
 * sequence's name. {@code table} and {@code column}, when set, are TARGET names: the target table
 * and target column (as {@link TableMapping#target()} and {@link ColumnMapping#target()} spell
 * them) whose copied keys the sequence is set past after the load. When that column is an {@link
 * ColumnMapping#identity() identity}, the identity's own sequence is set and {@code target} is not
 * created; otherwise the sequence {@code target} is created in the target schema. Both null: a
 * free-standing sequence, created but not set.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SequenceMapping(String source, String target, String table, String column) {}
