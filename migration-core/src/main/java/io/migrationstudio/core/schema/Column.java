package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * A column as the source catalog describes it. {@code nativeType} is the engine's own spelling
 * (e.g. {@code character varying(120)}); {@code type} its canonical type; {@code length} the
 * declared character length, {@code precision}/{@code scale} for numerics (null when unbounded).
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
    boolean identity) {
  public Column {
    Objects.requireNonNull(name, "column name is required");
    Objects.requireNonNull(nativeType, "column nativeType is required for " + name);
    Objects.requireNonNull(type, "column type is required for " + name);
  }
}
