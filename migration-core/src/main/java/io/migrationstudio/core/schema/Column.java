package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * A column as the source catalog describes it. {@code nativeType} is the engine's own spelling
 * (e.g. {@code character varying(120)}); {@code type} its canonical type; {@code length} the
 * declared character length, {@code precision}/{@code scale} for numerics (null when unbounded).
 * {@code generated} is the expression of a generated column (null otherwise; such a column has no
 * {@code defaultExpression}), {@code generated_kind} its kind when the engine has two and says
 * which ({@code VIRTUAL} or {@code STORED}: SQLite; null otherwise); {@code collation} the column's
 * collation when it differs from the default (PostgreSQL: its type's default collation; MariaDB:
 * its table's default collation); {@code comment} the column's comment. All three are null when
 * absent. {@code onUpdate} is the expression MySQL/MariaDB writes into the column whenever a row is
 * updated ({@code ON UPDATE current_timestamp()}), null when the column has none (PostgreSQL needs
 * a trigger for it). {@code autoincrement} is SQLite's {@code INTEGER PRIMARY KEY AUTOINCREMENT}:
 * the identity column never reuses the key of a deleted row, its counter is the table's row of
 * {@code sqlite_sequence}; false (and absent from the JSON) for every other column and engine.
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
    @JsonProperty("generated_kind") String generatedKind,
    String collation,
    String comment,
    String onUpdate,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean autoincrement) {
  @JsonCreator
  public Column {
    Objects.requireNonNull(name, "column name is required");
    Objects.requireNonNull(nativeType, "column nativeType is required for " + name);
    Objects.requireNonNull(type, "column type is required for " + name);
    if (generatedKind != null && generated == null) {
      throw new IllegalArgumentException(
          "column " + name + " has a generated kind (" + generatedKind + ") but no expression");
    }
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

  /**
   * A builder for a column {@code name} of {@code nativeType} ({@code type} canonical), every other
   * component unset (position 0, not nullable, null, {@code false}): name the ones the column has,
   * as {@code Column.builder("id", "integer", CanonicalType.INTEGER).position(1).build()}.
   */
  public static Builder builder(String name, String nativeType, CanonicalType type) {
    return new Builder().name(name).nativeType(nativeType).type(type);
  }

  /** A builder holding this column's values, to change some of them and build anew. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.position = position;
    b.nativeType = nativeType;
    b.type = type;
    b.nullable = nullable;
    b.defaultExpression = defaultExpression;
    b.length = length;
    b.precision = precision;
    b.scale = scale;
    b.identity = identity;
    b.generated = generated;
    b.generatedKind = generatedKind;
    b.collation = collation;
    b.comment = comment;
    b.onUpdate = onUpdate;
    b.autoincrement = autoincrement;
    return b;
  }

  /** Builds a {@link Column}; the record's constructor checks the result. */
  public static final class Builder {
    private String name;
    private int position;
    private String nativeType;
    private CanonicalType type;
    private boolean nullable;
    private String defaultExpression;
    private Integer length;
    private Integer precision;
    private Integer scale;
    private boolean identity;
    private String generated;
    private String generatedKind;
    private String collation;
    private String comment;
    private String onUpdate;
    private boolean autoincrement;

    private Builder() {}

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder position(int position) {
      this.position = position;
      return this;
    }

    public Builder nativeType(String nativeType) {
      this.nativeType = nativeType;
      return this;
    }

    public Builder type(CanonicalType type) {
      this.type = type;
      return this;
    }

    public Builder nullable(boolean nullable) {
      this.nullable = nullable;
      return this;
    }

    public Builder defaultExpression(String defaultExpression) {
      this.defaultExpression = defaultExpression;
      return this;
    }

    public Builder length(Integer length) {
      this.length = length;
      return this;
    }

    public Builder precision(Integer precision) {
      this.precision = precision;
      return this;
    }

    public Builder scale(Integer scale) {
      this.scale = scale;
      return this;
    }

    public Builder identity(boolean identity) {
      this.identity = identity;
      return this;
    }

    public Builder collation(String collation) {
      this.collation = collation;
      return this;
    }

    public Builder comment(String comment) {
      this.comment = comment;
      return this;
    }

    public Builder onUpdate(String onUpdate) {
      this.onUpdate = onUpdate;
      return this;
    }

    public Builder autoincrement(boolean autoincrement) {
      this.autoincrement = autoincrement;
      return this;
    }

    /**
     * The expression of a generated column and its kind as the source declares it ({@code VIRTUAL}
     * or {@code STORED}; null where the engine has one kind only).
     */
    public Builder generated(String generated, String generatedKind) {
      this.generated = generated;
      this.generatedKind = generatedKind;
      return this;
    }

    public Column build() {
      return new Column(
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
          generatedKind,
          collation,
          comment,
          onUpdate,
          autoincrement);
    }
  }
}
