package io.migrationstudio.core.mapping;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.migrationstudio.core.schema.CanonicalType;
import java.util.Objects;

/**
 * One column's disposition. {@code source} is the source column (null for DEFAULT/DERIVE columns),
 * {@code target} the target column (null for DROP); {@code type} the target column's PostgreSQL
 * type as written in DDL, {@code canonical} its canonical type.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "source",
  "target",
  "disposition",
  "source_type",
  "type",
  "canonical",
  "nullable",
  "default",
  "expression",
  "reason"
})
public record ColumnMapping(
    String source,
    String target,
    Disposition disposition,
    @JsonProperty("source_type") String sourceType,
    String type,
    CanonicalType canonical,
    boolean nullable,
    @JsonProperty("default") String defaultValue,
    String expression,
    String reason) {
  public ColumnMapping {
    Objects.requireNonNull(disposition, "disposition is required");
    if (disposition != Disposition.DROP) {
      Objects.requireNonNull(target, "target column is required unless the column is dropped");
      Objects.requireNonNull(type, "target type is required for column " + target);
    }
  }

  /** Whether the column reaches the target (derived, so not written to mapping.yaml). */
  @JsonIgnore
  public boolean isCopied() {
    return disposition != Disposition.DROP;
  }
}
