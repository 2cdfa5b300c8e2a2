package io.migrationstudio.core.cutover;

import io.migrationstudio.contracts.activity.CaptureStarted;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.cutover.reverse.ReverseStream;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.mapping.MappingDocument;

/**
 * The live cutover's reverse-stream steps ({@code cutover.rollback: reverse}): {@link #ahead}
 * before the freeze (the inverse checked, the source's bookkeeping: nothing there holds a position,
 * so it stays out of the write-unavailability window), then {@link #prepare} after the stream proof
 * and right before the switch, while the source is frozen and the target takes no application write
 * yet, so the reverse slot's consistent point is before every write the applications make on the
 * target. A cutover that does not switch drops it again ({@link #drop}).
 */
final class ReverseAtSwitch {
  private final MigrationSpec spec;
  private final MappingDocument mapping;
  private final String migrationId;
  private final ReverseStream reverse;
  private CaptureStarted started;
  private boolean aheadDone;

  ReverseAtSwitch(
      MigrationSpec spec, MappingDocument mapping, String migrationId, Secrets secrets) {
    this.spec = spec;
    this.mapping = mapping;
    this.migrationId = migrationId;
    this.reverse = new ReverseStream(secrets);
  }

  /**
   * The step before the freeze: refuses a mapping without an inverse and prepares the source's
   * bookkeeping; its detail says so.
   */
  String ahead() {
    reverse.prepareSource(spec, mapping, migrationId);
    aheadDone = true;
    return "mapping inverted; the reverse applier's session and bookkeeping ready on the source";
  }

  /** The step: creates the reverse capture; its detail names the slot and where it starts. */
  String prepare() {
    started =
        aheadDone
            ? reverse.prepareTarget(spec, mapping, migrationId)
            : reverse.prepare(spec, mapping, migrationId);
    return "slot and publication "
        + started.capture()
        + " on the target from "
        + started.position()
        + "; the source's writes by the reverse applier carry origin "
        + ReverseStream.originName(migrationId);
  }

  /** Whether anything was prepared, on the source ({@link #ahead}) or the target, to drop. */
  boolean prepared() {
    return started != null || aheadDone;
  }

  String drop() {
    reverse.drop(spec, migrationId);
    return "slot and publication " + ReverseStream.captureName(migrationId) + " dropped";
  }
}
