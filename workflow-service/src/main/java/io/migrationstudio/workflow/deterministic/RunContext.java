package io.migrationstudio.workflow.deterministic;

import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.spec.MigrationSpec;

/** What every step of one opened migration names: its spec, id and evidence branch. */
record RunContext(MigrationSpec spec, String migrationId, String branch) {

  /** A stage request reading at {@code commit}, for a stage started at {@code startedAt}. */
  StageRequest request(String commit, long startedAt) {
    return new StageRequest(migrationId, spec, branch, commit, startedAt);
  }
}
