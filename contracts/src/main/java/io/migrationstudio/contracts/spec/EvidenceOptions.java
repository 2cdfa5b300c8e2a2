package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * {@code mapping.evidence}: how source rows appear in the evidence. Row values are masked by
 * default (shape only: letters x, digits #, binary as its length); {@code plain} lists source
 * tables ({@code table}), columns ({@code table.column}) or {@code *} whose values are shown as
 * they are.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record EvidenceOptions(List<String> plain) {
  public EvidenceOptions {
    plain = plain == null ? List.of() : List.copyOf(plain);
  }
}
