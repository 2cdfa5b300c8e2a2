package io.migrationstudio.contracts.activity;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Migrate: the migration engineer (prepare, chunks, finish) then the integration tester. All
 * methods are idempotent: re-running any of them on a finished target changes nothing.
 */
@ActivityInterface(namePrefix = "Migrate_")
public interface MigrateActivities {
  /**
   * Creates the studio schema, the ledger and the target tables (without indexes), plans chunks,
   * and commits {@code target-schema.sql}.
   */
  @ActivityMethod
  MigratePlan prepareTarget(StageRequest request);

  /** One chunk in one target transaction with its ledger row; heartbeats rows copied. */
  @ActivityMethod
  ChunkResult copyChunk(ChunkRequest request);

  /**
   * Consecutive chunks of one table, in order, each in its own target transaction with its ledger
   * row (a chunk the ledger shows committed is not redone, so a retried batch resumes where it
   * stopped); durable on the target when it returns. Heartbeats rows copied.
   */
  @ActivityMethod
  ChunkBatchResult copyChunks(ChunkBatchRequest request);

  /**
   * One table's primary key (a unique index attached with {@code USING INDEX}), unique keys and
   * secondary indexes, as soon as its chunks are in, while other tables still copy.
   */
  @ActivityMethod
  void buildTableIndexes(TableLoadRequest request);

  /**
   * Keys and indexes not built yet (idempotent), foreign keys (NOT VALID, then validated),
   * sequences past the copied keys; commits {@code run.{json,md}}.
   */
  @ActivityMethod
  StageResult finishLoad(StageRequest request);

  /**
   * After a failed copy: commits {@code run.{json,md}} with status {@code failed}, the failing
   * table and the reason, and the ledger as it stands (rows, rejects and chunks per table). Builds
   * nothing. When the target cannot be read, the files carry the failure alone.
   */
  @ActivityMethod
  StageResult recordFailedLoad(LoadFailure failure);

  /**
   * {@code migrate.dry_run}: reads, transforms and checks every row against the target's types and
   * constraints in transactions that are rolled back; commits {@code dry-run-report.{md,json}}.
   * Heartbeats rows read.
   */
  @ActivityMethod
  StageResult dryRun(StageRequest request);

  /** Checks the ledger and the target (all chunks committed, counts, constraints valid). */
  @ActivityMethod
  StageResult checkIntegration(StageRequest request);
}
