package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One entry of {@code mapping.type_rules}: source columns that {@code match} get {@code
 * target_type} instead of the catalogue's choice. Rules apply in order, the first match wins, and a
 * per-column entry of the overrides file beats every rule. {@code time_zone} (an IANA zone id or
 * {@code UTC}, only with a {@code timestamptz} target) names the zone the source's zone-less
 * timestamps were written in; {@code reason} is copied to the column's {@code reason} (needed for a
 * lossy cast).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TypeRule(
    Match match,
    @JsonProperty("target_type") String targetType,
    @JsonProperty("time_zone") String timeZone,
    String reason) {

  /**
   * Which source columns a rule covers; an absent key matches everything. {@code source_type}: a
   * case-insensitive glob over the source's native type; without {@code (} it is compared with the
   * type's name without its modifiers ({@code datetime} matches {@code datetime(3)}, {@code int
   * unsigned} matches {@code int(10) unsigned}), with {@code (} with the full spelling ({@code
   * tinyint(1)}). {@code table}, {@code column}: case-sensitive globs over source names, like
   * {@code scope.include}.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Match(
      @JsonProperty("source_type") String sourceType, String table, String column) {}
}
