package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One regression query: {@code sql} runs on both sides unless {@code source_sql} / {@code
 * target_sql} give a dialect-specific text.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QuerySpec(
    String name,
    String sql,
    @com.fasterxml.jackson.annotation.JsonProperty("source_sql") String sourceSql,
    @com.fasterxml.jackson.annotation.JsonProperty("target_sql") String targetSql) {

  public String forSource() {
    return sourceSql != null ? sourceSql : sql;
  }

  public String forTarget() {
    return targetSql != null ? targetSql : sql;
  }
}
