package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * A column as the source catalog describes it. {@code nativeType} is the engine's own spelling
 * (e.g. {@code character varying(120)}); {@code type} its canonical type; {@code length} the
 * declared character length, {@code precision}/{@code scale} for numerics (null when unbounded).
 * {@code generated} is the expression of a generated column (null otherwise; such a column has no
 * {@code defaultExpression}); {@code collation} the column's collation when it differs from the
 * default (PostgreSQL: its type's default collation; MariaDB: its table's default collation);
 * {@code comment} the column's comment. All three are null when absent. {@code onUpdate} is the
 * expression MySQL/MariaDB writes into the column whenever a row is updated ({@code ON UPDATE
 * current_timestamp()}), null when the column has none (PostgreSQL needs a trigger for it). {@code
 * autoincrement} is SQLite's {@code INTEGER PRIMARY KEY AUTOINCREMENT}: the identity column never
 * reuses the key of a deleted row, its counter is the table's row of {@code sqlite_sequence}; false
 * (and absent from the JSON) for every other column and engine.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Column(
    String name,
    int position,
    String nativeType,
    CanonicalType type,
    boolean nullable,
    String defaultExpression,
    Integer length,
    Integer precision,
    Integer scale,
    boolean identity,
    String generated,
    String collation,
    String comment,
    String onUpdate,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean autoincrement) {
  @JsonCreator
  public Column {
    Objects.requireNonNull(name, "column name is required");
    Objects.requireNonNull(nativeType, "column nativeType is required for " + name);
    Objects.requireNonNull(type, "column type is required for " + name);
    if (generated != null && defaultExpression != null) {
      throw new IllegalArgumentException(
          "column "
              + name
              + " is generated ("
              + generated
              + ") and has a default ("
              + defaultExpression
              + "); a generated column has no default");
    }
  }

  /** A column not declared SQLite AUTOINCREMENT. */
  public Column(
      String name,
      int position,
      String nativeType,
      CanonicalType type,
      boolean nullable,
      String defaultExpression,
      Integer length,
      Integer precision,
      Integer scale,
      boolean identity,
      String generated,
      String collation,
      String comment,
      String onUpdate) {
    this(
        name,
        position,
        nativeType,
        type,
        nullable,
        defaultExpression,
        length,
        precision,
        scale,
        identity,
        generated,
        collation,
        comment,
        onUpdate,
        false);
  }

  /** A column without an ON UPDATE expression. */
  public Column(
      String name,
      int position,
      String nativeType,
      CanonicalType type,
      boolean nullable,
      String defaultExpression,
      Integer length,
      Integer precision,
      Integer scale,
      boolean identity,
      String generated,
      String collation,
      String comment) {
    this(
        name,
        position,
        nativeType,
        type,
        nullable,
        defaultExpression,
        length,
        precision,
        scale,
        identity,
        generated,
        collation,
        comment,
        null);
  }

  /** A column that is not generated and has neither an explicit collation nor a comment. */
  public Column(
      String name,
      int position,
      String nativeType,
      CanonicalType type,
      boolean nullable,
      String defaultExpression,
      Integer length,
      Integer precision,
      Integer scale,
      boolean identity) {
    this(
        name,
        position,
        nativeType,
        type,
        nullable,
        defaultExpression,
        length,
        precision,
        scale,
        identity,
        null,
        null,
        null,
        null,
        false);
  }
}
