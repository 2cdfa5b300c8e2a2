package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** A check constraint with its expression in the source dialect. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CheckConstraint(String name, String expression) {}
