package io.migrationstudio.core.review;

import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.review.Finding.Level;

/** One measured condition on a column: rows matching {@code condition} are affected. */
record Probe(
    ColumnMapping column,
    CompatibilityCheck check,
    String condition,
    String max,
    Level onViolation,
    Level onClean,
    String detail) {}
