package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** Which tables take part: glob patterns ({@code *}, {@code ?}) over table names. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ScopeSpec(List<String> include, List<String> exclude) {
  public ScopeSpec {
    include = include == null || include.isEmpty() ? List.of("*") : List.copyOf(include);
    exclude = exclude == null ? List.of() : List.copyOf(exclude);
  }

  public static ScopeSpec all() {
    return new ScopeSpec(null, null);
  }
}
