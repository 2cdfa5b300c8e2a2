package io.migrationstudio.core.dialect;

/**
 * When a connection is opened, which decides what a failure to connect means (issue 12 #6). At the
 * start of a migration a database that cannot be reached has never worked for it: a wrong host or
 * port, failed fast and not retried. During a stage the database worked before, so the same failure
 * is a restart, a failover or a network loss: transient, retried with backoff.
 */
public enum ConnectPhase {
  /** The migration's first contact with the database (the Assessment's source inventory). */
  MIGRATION_START,
  /** Any later connection, after the database has answered in this migration. */
  DURING_STAGE
}
