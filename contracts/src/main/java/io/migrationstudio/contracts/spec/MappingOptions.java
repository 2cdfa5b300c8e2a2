package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * How the mapping is generated. {@code naming}: {@code identity} (keep names), {@code lower},
 * {@code snake_case} (default {@code identity}). {@code overrides}: path of a mapping.yaml whose
 * entries are merged over the generated one. {@code type_rules}: target types chosen by rule (see
 * {@link TypeRule}), applied in order before the overrides. {@code evidence}: which source tables
 * and columns evidence files may show plain (see {@link EvidenceOptions}; default: all masked).
 * {@code carry_privileges}: a PostgreSQL → PostgreSQL migration also carries ownership and grants
 * (default false).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MappingOptions(
    String naming,
    String overrides,
    @JsonProperty("type_rules") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<TypeRule> typeRules,
    EvidenceOptions evidence,
    @JsonProperty("carry_privileges") Boolean carryPrivileges) {
  public MappingOptions {
    naming = naming == null ? "identity" : naming;
    typeRules = typeRules == null ? List.of() : List.copyOf(typeRules);
  }

  /** Without carry_privileges (ownership and grants are not carried). */
  public MappingOptions(
      String naming, String overrides, List<TypeRule> typeRules, EvidenceOptions evidence) {
    this(naming, overrides, typeRules, evidence, null);
  }

  /** Whether ownership and grants are carried (PostgreSQL to PostgreSQL). */
  public boolean carriesPrivileges() {
    return Boolean.TRUE.equals(carryPrivileges);
  }

  /** Without evidence options: row values in the evidence are masked. */
  public MappingOptions(String naming, String overrides, List<TypeRule> typeRules) {
    this(naming, overrides, typeRules, null);
  }

  /** The source tables and columns whose values evidence shows plain (none: all masked). */
  public List<String> plainEvidence() {
    return evidence == null ? List.of() : evidence.plain();
  }

  /** Naming and overrides, no type rules. */
  public MappingOptions(String naming, String overrides) {
    this(naming, overrides, null);
  }

  public static MappingOptions defaults() {
    return new MappingOptions(null, null, null, null, null);
  }
}
