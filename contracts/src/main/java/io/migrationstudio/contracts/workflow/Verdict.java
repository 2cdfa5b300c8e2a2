package io.migrationstudio.contracts.workflow;

/** A checker's verdict on its stage. */
public enum Verdict {
  PASS,
  FAIL
}
