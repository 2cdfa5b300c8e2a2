package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One regression query: {@code sql} runs on both sides unless {@code source_sql} / {@code
 * target_sql} give a dialect-specific text. {@code compare} gives per result column (by its label,
 * case-insensitive) the comparison rule the result sets are compared under, with the keys of a
 * mapping column's {@code compare:} ({@code tolerance}, {@code relative_tolerance}, {@code
 * precision}, {@code time_zone}, {@code trim}, {@code ignore_case}); columns it does not name are
 * compared exactly.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QuerySpec(
    String name,
    String sql,
    @com.fasterxml.jackson.annotation.JsonProperty("source_sql") String sourceSql,
    @com.fasterxml.jackson.annotation.JsonProperty("target_sql") String targetSql,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Map<String, Object>> compare) {
  public QuerySpec {
    compare =
        compare == null || compare.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(compare));
  }

  /** A query compared exactly (before {@code compare}). */
  public QuerySpec(String name, String sql, String sourceSql, String targetSql) {
    this(name, sql, sourceSql, targetSql, null);
  }

  public String forSource() {
    return sourceSql != null ? sourceSql : sql;
  }

  public String forTarget() {
    return targetSql != null ? targetSql : sql;
  }
}
