package io.migrationstudio.workflow;

import io.migrationstudio.contracts.spec.MigrationSpec;

/**
 * Who drives a migration: the process that starts (or re-creates) its workflow holds the
 * migration's lock for as long as that workflow runs, so that no other process of the same studio
 * home (or on the same target) starts a second workflow of it in its own Temporal, which would copy
 * and apply it twice. {@code studio server} and {@code studio run} provide it; {@link #NONE} (a
 * workflow service on its own) takes nothing.
 */
public interface DriveLocks {
  /**
   * Takes the lock of {@code spec}'s migration before its workflow starts, or refuses with a {@link
   * io.migrationstudio.contracts.MigrationException} naming the process that holds it and what to
   * do. Returns false when this process holds it already (a retried or repeated start).
   */
  boolean acquire(MigrationSpec spec);

  /** The workflow of {@code migrationId} started: hold its lock until the workflow ends. */
  void started(String migrationId);

  /** The workflow of {@code migrationId} did not start: release the lock just taken. */
  void release(String migrationId);

  /** Takes no lock (a workflow service without a studio home of its own). */
  DriveLocks NONE =
      new DriveLocks() {
        @Override
        public boolean acquire(MigrationSpec spec) {
          return false;
        }

        @Override
        public void started(String migrationId) {}

        @Override
        public void release(String migrationId) {}
      };
}
