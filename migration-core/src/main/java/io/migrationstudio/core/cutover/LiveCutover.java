package io.migrationstudio.core.cutover;

import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.cdc.apply.RowChanges;
import io.migrationstudio.core.cdc.apply.StreamService;
import io.migrationstudio.core.copy.LoadFinisher;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.cutover.StepRecorder.CheckFailed;
import io.migrationstudio.core.dialect.Connections;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.spec.SecretResolver;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * The steps an online migration ({@code migrate.strategy: online}) adds to the cutover, around the
 * freeze and the final validation of {@link CutoverService}. The stream workflow is stopped before
 * the cutover runs, so this is the only applier of the capture; each step applies through {@link
 * StreamService#drain}, which keeps the stream's exactly-once position on the target.
 *
 * <ol>
 *   <li>{@link #catchUp} (before the freeze): drains to a fresh end marker, up to {@link
 *       #CATCH_UP_ROUNDS} times, until one round takes at most {@code cutover.max_lag}; that last
 *       round's time is the lag at freeze time (how far behind the source the target is). Above the
 *       limit the cutover is refused with nothing frozen.
 *   <li>{@link #mark} (after the freeze, whose guard DDL waited for the in-flight writers): the end
 *       position; everything committed to the tables in scope is at or below it.
 *   <li>{@link #freezePoint} (in the freeze's step, right after it): the source's end of log.
 *   <li>{@link #drain}: applies up to the marker; a transaction with row changes after the freeze
 *       point (the marker when there is none) is a write that got past the freeze: refused.
 *   <li>{@link #sequences}: identities and sequences on the target from the current values.
 *   <li>{@link #prove} (after the final validation, right before the switch): a second marker and a
 *       drain to it; any row change between the two markers is refused, so the stream itself shows
 *       that nothing was written to the source after the freeze point.
 *   <li>{@link #dropCapture} (after the switch): the forward capture goes.
 * </ol>
 */
final class LiveCutover {
  /** Catch-up rounds before the freeze: the first may drain a backlog, later ones measure lag. */
  static final int CATCH_UP_ROUNDS = 3;

  /** The longest catch-up round: a stream further behind than this is not ready for a cutover. */
  static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(5);

  /**
   * The longest drain under the freeze: the backlog is bounded (the catch-up measured it below
   * {@code max_lag}), so a drain that takes this long is stuck and the freeze is lifted.
   */
  static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(2);

  private final MigrationSpec spec;
  private final MappingDocument mapping;
  private final String migrationId;
  private final String capture;
  private final SecretResolver secrets;
  private final StreamService stream;
  private final Duration maxLag;
  private Long lagMillis;
  private StreamPosition marker;
  private StreamPosition frozenAt;
  private StreamService.Drain drained;

  LiveCutover(
      MigrationSpec spec, MappingDocument mapping, String migrationId, SecretResolver secrets) {
    this.spec = spec;
    this.mapping = mapping;
    this.migrationId = migrationId;
    this.capture = StreamService.captureName(migrationId);
    this.secrets = secrets;
    this.stream = new StreamService(secrets);
    this.maxLag = Duration.parse(spec.cutover().maxLag());
  }

  String catchUp() {
    StreamService.Drain round = null;
    for (int i = 1; i <= CATCH_UP_ROUNDS; i++) {
      StreamPosition end = stream.endMarker(spec, "studio cutover catch-up " + i);
      round = stream.drain(spec, mapping, migrationId, capture, end, null, CATCH_UP_TIMEOUT);
      lagMillis = round.millis();
      if (round.millis() <= maxLag.toMillis()) {
        return "the stream reached the source's end of log in "
            + round.millis()
            + " ms (round "
            + i
            + "; "
            + round.changes()
            + " row changes applied), within cutover.max_lag "
            + spec.cutover().maxLag();
      }
    }
    throw new CheckFailed(
        "the change stream is "
            + round.millis()
            + " ms behind the source (the time its last catch-up round took), more than"
            + " cutover.max_lag "
            + spec.cutover().maxLag()
            + " after "
            + CATCH_UP_ROUNDS
            + " rounds; nothing was frozen. Run the cutover when the source writes less, or raise"
            + " cutover.max_lag (the freeze then lasts about as long as the lag)");
  }

  /**
   * The freeze point: the source's end of log, read by the freeze's session right after the freeze
   * returned (the writers it waited for committed below it). A row change of the tables in scope
   * the stream carries after it got past the guards, and {@link #drain} refuses it instead of
   * applying it: before, the end marker was the freeze point, and a write between the freeze and
   * the marker was applied to the target, so both sides matched and the cutover passed. On
   * MariaDB/MySQL a {@code TRUNCATE} passes the guards (triggers do not fire on it) and reaches the
   * target that way emptied, unless refused here.
   */
  String freezePoint(Connection control) throws SQLException {
    frozenAt =
        Dialects.source(spec)
            .changeCapture()
            .orElseThrow(() -> new CheckFailed("the source has no change capture"))
            .head(control);
    return "the source's log at " + frozenAt.text() + " when frozen: a change after it is refused";
  }

  String mark() {
    marker = stream.endMarker(spec, "studio cutover end " + migrationId);
    return "end marker "
        + marker.text()
        + " written after the freeze: every write to the tables in scope is at or below it";
  }

  String drain() {
    StreamPosition refuseAfter = frozenAt != null ? frozenAt : marker;
    drained = stream.drain(spec, mapping, migrationId, capture, marker, refuseAfter, DRAIN_TIMEOUT);
    refuseLateWrites(
        drained,
        frozenAt != null
            ? "after the freeze point " + frozenAt.text()
            : "after the end marker " + marker.text());
    return "applied "
        + drained.transactions()
        + " transactions ("
        + drained.changes()
        + " row changes) up to "
        + drained.position().text()
        + " in "
        + drained.millis()
        + " ms";
  }

  String sequences() {
    List<String> statements =
        Connections.onBoth(
            spec,
            secrets,
            "setting the target's sequences from the source",
            (src, tgt) ->
                new LoadFinisher(Dialects.target(spec))
                    .setSequences(src, Dialects.source(spec), tgt, mapping));
    return statements.size()
        + " identities and sequences set past the target's keys and the source's counters, or to"
        + " the source's current values";
  }

  String prove() {
    StreamPosition second = stream.endMarker(spec, "studio cutover proof " + migrationId);
    StreamService.Drain proof =
        stream.drain(spec, mapping, migrationId, capture, second, marker, DRAIN_TIMEOUT);
    refuseLateWrites(proof, "after the end marker");
    if (proof.changes() > 0) {
      throw new CheckFailed(
          proof.changes()
              + " row changes reached the stream between the end marker and "
              + second.text()
              + ": the source took writes after the freeze point; the switch is refused");
    }
    return "no change to the tables in scope from "
        + marker.text()
        + " to "
        + second.text()
        + " in the stream";
  }

  /**
   * Drops the forward capture, and prunes its record of changed rows on the target ({@code
   * studio.row_changes}): the switch is done, no check reads it again (a rollback reads the reverse
   * stream's record on the source), and it would otherwise grow until the decommission.
   */
  String dropCapture() {
    stream.drop(spec, capture);
    int pruned =
        Connections.onTarget(
            spec,
            secrets,
            "pruning the change stream's record of changed rows",
            tgt ->
                new RowChanges(Dialects.target(spec), TargetSchema.DEFAULT_STUDIO_SCHEMA)
                    .prune(tgt, migrationId, capture, null));
    return "change capture "
        + capture
        + " dropped on the source; its record of changed rows on the target pruned ("
        + pruned
        + " batches)";
  }

  CutoverLog.Live live(Long writeUnavailableMillis) {
    return new CutoverLog.Live(
        capture,
        maxLag.toMillis(),
        lagMillis,
        marker == null ? null : marker.text(),
        drained == null ? null : drained.position().text(),
        drained == null ? null : drained.millis(),
        drained == null ? null : drained.transactions(),
        drained == null ? null : drained.changes(),
        writeUnavailableMillis);
  }

  private static void refuseLateWrites(StreamService.Drain d, String when) {
    if (!d.afterFreeze().isEmpty()) {
      throw new CheckFailed(
          d.afterFreeze().size()
              + " source transactions wrote to the tables in scope "
              + when
              + ", through the freeze (not applied): "
              + String.join("; ", d.afterFreeze().stream().limit(5).toList())
              + ". The switch is refused and the source unfrozen; find the session that bypassed"
              + " the write guards (session_replication_role, disabled triggers) and run the"
              + " cutover again");
    }
  }
}
