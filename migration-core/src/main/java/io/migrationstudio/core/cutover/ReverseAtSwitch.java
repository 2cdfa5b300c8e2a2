package io.migrationstudio.core.cutover;

import io.migrationstudio.contracts.activity.CaptureStarted;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.cutover.reverse.ReverseStream;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.mapping.MappingDocument;

/**
 * The live cutover's reverse-stream step ({@code cutover.rollback: reverse}): {@link
 * ReverseStream#prepare} runs after the stream proof and right before the switch, while the source
 * is frozen and the target takes no application write yet, so the reverse slot's consistent point
 * is before every write the applications make on the target. A cutover that does not switch drops
 * it again ({@link #drop}).
 */
final class ReverseAtSwitch {
  private final MigrationSpec spec;
  private final MappingDocument mapping;
  private final String migrationId;
  private final ReverseStream reverse;
  private CaptureStarted started;

  ReverseAtSwitch(
      MigrationSpec spec, MappingDocument mapping, String migrationId, Secrets secrets) {
    this.spec = spec;
    this.mapping = mapping;
    this.migrationId = migrationId;
    this.reverse = new ReverseStream(secrets);
  }

  /** The step: creates the reverse capture; its detail names the slot and where it starts. */
  String prepare() {
    started = reverse.prepare(spec, mapping, migrationId);
    return "slot and publication "
        + started.capture()
        + " on the target from "
        + started.position()
        + "; the source's writes by the reverse applier carry origin "
        + ReverseStream.originName(migrationId);
  }

  boolean prepared() {
    return started != null;
  }

  String drop() {
    reverse.drop(spec, migrationId);
    return "slot and publication " + ReverseStream.captureName(migrationId) + " dropped";
  }
}
