package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What {@code prepareTarget} created and planned: the commit holding {@code target-schema.sql}, the
 * tables in load order with their chunks.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MigratePlan(String commit, List<TablePlan> tables) {
  public MigratePlan {
    tables = tables == null ? List.of() : List.copyOf(tables);
  }
}
