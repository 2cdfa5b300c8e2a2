package io.migrationstudio.contracts.workflow;

/** A reviewer's decision on a stage. */
public enum Decision {
  APPROVE,
  REQUEST_CHANGES,
  REJECT
}
