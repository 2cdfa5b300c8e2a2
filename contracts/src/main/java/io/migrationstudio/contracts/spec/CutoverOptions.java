package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How the cutover runs. {@code window}: null (any time) or an ISO-8601 instant to wait for. {@code
 * rto}: ISO-8601 duration the rollback must fit in (default PT15M). {@code freeze}: {@code
 * source-read-only} (default) or {@code none}. {@code switch}: see {@link SwitchSpec}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CutoverOptions(
    String window, String rto, String freeze, @JsonProperty("switch") SwitchSpec switchTo) {
  public CutoverOptions {
    rto = rto == null ? "PT15M" : rto;
    freeze = freeze == null ? "source-read-only" : freeze;
    switchTo = switchTo == null ? SwitchSpec.none() : switchTo;
  }

  public static CutoverOptions defaults() {
    return new CutoverOptions(null, null, null, null);
  }
}
