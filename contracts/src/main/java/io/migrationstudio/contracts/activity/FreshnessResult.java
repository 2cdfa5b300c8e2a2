package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What the newest {@code validation.json} on a branch was made against, compared with now: {@code
 * generatedAtMillis} is the workflow time it records (null when it records none, e.g. a report
 * older than the freshness stamp), {@code reportCommit} the commit that last wrote it (null when
 * there is no report), {@code ledgerMatches} whether the chunk ledger on the target is in the state
 * the report records, and {@code detail} says what differs. The workflow decides with its own clock
 * whether the report is too old.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FreshnessResult(
    Long generatedAtMillis, String reportCommit, boolean ledgerMatches, String detail) {
  public FreshnessResult {
    detail = detail == null ? "" : detail;
  }
}
