package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How the mapping is generated. {@code naming}: {@code identity} (keep names), {@code lower},
 * {@code snake_case} (default {@code identity}). {@code overrides}: path of a mapping.yaml whose
 * entries are merged over the generated one.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MappingOptions(String naming, String overrides) {
  public MappingOptions {
    naming = naming == null ? "identity" : naming;
  }

  public static MappingOptions defaults() {
    return new MappingOptions(null, null);
  }
}
