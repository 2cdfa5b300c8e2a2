package io.migrationstudio.core.cutover.reverse;

import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.StreamProgress;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.report.StageOutput;
import java.time.Duration;
import java.util.Objects;

/**
 * The reverse stream as the workflow runs it after a switch: {@link #slice} applies the target's
 * changes to the source for a bounded time and reports where it stands in the shape of the forward
 * stream's progress ({@link StreamProgress}; {@code lagBytes}: target WAL not yet on the source),
 * {@link #rollback} rolls back ({@link RollbackService}), {@link #drop} removes the capture. The
 * reverse capture itself is created by the cutover right before its switch.
 */
public final class ReverseReplicationService {
  private final Secrets secrets;
  private final ReverseStream reverse;

  public ReverseReplicationService(Secrets secrets) {
    this.secrets = Objects.requireNonNull(secrets);
    this.reverse = new ReverseStream(secrets);
  }

  /** One slice of about {@code slice}: applies what the target committed, reports the lag. */
  public StreamProgress slice(
      MigrationSpec spec, MappingDocument mapping, String migrationId, Duration slice) {
    ReverseStream.Progress p = reverse.drain(spec, mapping, migrationId, null, null, slice);
    return progress(p, System.currentTimeMillis());
  }

  /** The reverse stream's progress as the forward stream reports its own. */
  static StreamProgress progress(ReverseStream.Progress p, long measuredAtMillis) {
    return new StreamProgress(
        p.capture(),
        p.position(),
        null,
        p.lagBytes(),
        -1,
        p.transactions(),
        p.changes(),
        0,
        p.tableChanges(),
        p.lagBytes() == 0,
        measuredAtMillis,
        null,
        null,
        null);
  }

  /**
   * Rolls back, switching back through {@code switchBack} (null: the operator does; the step says
   * so), and returns the log as the branch's {@code 05-cutover/rollback-log.{json,md}}.
   */
  public StageOutput rollback(
      MigrationSpec spec,
      MappingDocument mapping,
      String migrationId,
      Duration drainTimeout,
      RollbackService.SwitchBack switchBack) {
    RollbackLog log =
        new RollbackService(secrets)
            .rollback(spec, mapping, migrationId, null, drainTimeout, switchBack);
    return RollbackService.evidence(log);
  }

  /** Drops the reverse capture on the target and the origin on the source. */
  public void drop(MigrationSpec spec, String migrationId) {
    reverse.drop(spec, migrationId);
  }
}
