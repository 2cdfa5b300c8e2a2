package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * How the mapping is generated. {@code naming}: {@code identity} (keep names), {@code lower},
 * {@code snake_case} (default {@code identity}). {@code overrides}: path of a mapping.yaml whose
 * entries are merged over the generated one. {@code type_rules}: target types chosen by rule (see
 * {@link TypeRule}), applied in order before the overrides.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MappingOptions(
    String naming,
    String overrides,
    @JsonProperty("type_rules") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<TypeRule> typeRules) {
  public MappingOptions {
    naming = naming == null ? "identity" : naming;
    typeRules = typeRules == null ? List.of() : List.copyOf(typeRules);
  }

  /** Naming and overrides, no type rules. */
  public MappingOptions(String naming, String overrides) {
    this(naming, overrides, null);
  }

  public static MappingOptions defaults() {
    return new MappingOptions(null, null, null);
  }
}
