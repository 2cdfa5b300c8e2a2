package io.migrationstudio.core.validate;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.cdc.ChangeCapture;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.cdc.apply.StreamHold;
import io.migrationstudio.core.cdc.apply.StreamPositions;
import io.migrationstudio.core.cdc.apply.StreamService;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.dialect.Connections;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.dialect.Sessions;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Validation of an online migration while its change stream runs: both sides are read at one known
 * source position, so a stream that is merely behind is never a difference and a real difference is
 * reported with its rows.
 *
 * <ol>
 *   <li>The running stream is asked to pause ({@link StreamHold#request}) and answers.
 *   <li>The source connection begins a snapshot tied to a position {@code P} ({@link
 *       ChangeCapture#beginPositionedRead}: exactly the transactions at or below {@code P}); an end
 *       marker makes sure the stream sees a transaction past {@code P} even when the source is
 *       idle.
 *   <li>The stream applies up to {@code P} and stops there ({@link StreamHold#until}); the target
 *       connection begins its {@code REPEATABLE READ} transaction, reading the stream position
 *       ({@code P}'s last transaction) as its first statement, and the hold is released: the stream
 *       runs on while both fixed snapshots are compared with the existing checks and hashing.
 * </ol>
 *
 * The report records the source position it proved and the target's stream position ({@link
 * #stamp}). The stream stops for the time the source snapshot takes to open (on PostgreSQL a
 * temporary slot waits for the transactions running at that moment) plus one batch.
 */
public final class PositionedValidation {
  /** How long the stream may take to answer a hold before the validation gives up. */
  public static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

  static final String POSITION = "position";

  /** What a positioned comparison proved: both sides at {@code sourcePosition}. */
  public record Proof(String capture, String sourcePosition, String targetPosition) {
    public Proof {
      Objects.requireNonNull(capture, "capture");
      Objects.requireNonNull(sourcePosition, "sourcePosition");
    }
  }

  /** The work's result with the position it was computed at. */
  public record Result<T>(Proof proof, T value) {}

  private final Secrets secrets;
  private final Duration timeout;

  public PositionedValidation(Secrets secrets) {
    this(secrets, ANSWER_TIMEOUT);
  }

  public PositionedValidation(Secrets secrets, Duration timeout) {
    this.secrets = Objects.requireNonNull(secrets);
    this.timeout = Objects.requireNonNull(timeout);
  }

  /**
   * Runs {@code work} on {@code src} and {@code tgt} (open, auto-commit on) once both hold exactly
   * the source transactions at or below one position of the migration's stream; the stream must be
   * running. Both connections are back in auto-commit afterwards.
   */
  public <T> Result<T> run(
      MigrationSpec spec,
      String migrationId,
      Connection src,
      Connection tgt,
      Connections.PairWork<T> work)
      throws SQLException {
    return run(spec, migrationId, src, tgt, work, false);
  }

  /**
   * As {@link #run}, but {@code work} runs while the stream is still held at the position, with
   * {@code tgt} in a read-write transaction committed before the hold is released: a write there
   * lands at exactly the source position {@code src} reads, before anything the stream applies
   * after it (the cascade orphan sweep, {@link OrphanSweep}).
   */
  public <T> Result<T> runHeld(
      MigrationSpec spec,
      String migrationId,
      Connection src,
      Connection tgt,
      Connections.PairWork<T> work)
      throws SQLException {
    return run(spec, migrationId, src, tgt, work, true);
  }

  private <T> Result<T> run(
      MigrationSpec spec,
      String migrationId,
      Connection src,
      Connection tgt,
      Connections.PairWork<T> work,
      boolean held)
      throws SQLException {
    Dialect sd = Dialects.source(spec);
    Dialect td = Dialects.target(spec);
    ChangeCapture capture =
        sd.changeCapture()
            .orElseThrow(
                () ->
                    new MigrationException(
                        ErrorCode.INVALID_SPEC,
                        "an online validation needs the source's change capture, which "
                            + sd.name()
                            + " does not offer"));
    String name = StreamService.captureName(migrationId);
    StreamHold holds = new StreamHold(td, TargetSchema.DEFAULT_STUDIO_SCHEMA);
    Proof proof;
    try {
      try (Connection control = Dialects.open(spec.target(), secrets, "target")) {
        holds.create(control);
        holds.request(control, name);
        try {
          answer(control, holds, name, null);
          StreamPosition at =
              capture
                  .beginPositionedRead(spec.source(), secrets, src)
                  .orElseThrow(
                      () ->
                          new MigrationException(
                              ErrorCode.INVALID_SPEC,
                              "the source engine "
                                  + sd.name()
                                  + " cannot tie a snapshot to a stream position; validate after"
                                  + " the cutover's freeze instead"));
          try (Connection marker = Dialects.open(spec.source(), secrets, "source")) {
            capture.endMarker(marker, "validation");
          }
          holds.until(control, name, at);
          StreamPosition reached = answer(control, holds, name, at);
          if (reached.compareTo(at) > 0) {
            throw new MigrationException(
                ErrorCode.TRANSIENT_SQL,
                "the change stream "
                    + name
                    + " applied past the validation's position "
                    + at.text()
                    + " (it stands at "
                    + reached.text()
                    + "): another applier ignored the hold; validate again");
          }
          Sessions.beginTransaction(
              tgt,
              held
                  ? "SET TRANSACTION ISOLATION LEVEL READ COMMITTED, READ WRITE"
                  : "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
          if (held) {
            // the stream writes its position in every batch's transaction: none commits past the
            // position until this one has, even if the hold expired meanwhile
            try (java.sql.PreparedStatement lock =
                tgt.prepareStatement(
                    "SELECT 1 FROM "
                        + new StreamPositions(td, TargetSchema.DEFAULT_STUDIO_SCHEMA).table()
                        + " WHERE capture = ? FOR SHARE")) {
              lock.setString(1, name);
              lock.executeQuery().close();
            }
          }
          // the first read fixes the target's snapshot: the stream's position with its rows
          StreamPosition stored =
              new StreamPositions(td, TargetSchema.DEFAULT_STUDIO_SCHEMA)
                  .read(tgt, name)
                  .map(StreamPositions.Stored::position)
                  .orElse(null);
          if (stored != null && stored.compareTo(reached) != 0) {
            throw new MigrationException(
                ErrorCode.TRANSIENT_SQL,
                "the change stream "
                    + name
                    + " moved from "
                    + reached.text()
                    + " to "
                    + stored.text()
                    + " during the validation's hold (it expired after "
                    + StreamHold.EXPIRES_SECONDS
                    + " s?); validate again");
          }
          proof = new Proof(name, at.text(), reached.text());
          if (held) {
            T value = work.run(src, tgt);
            tgt.commit();
            return new Result<>(proof, value);
          }
        } finally {
          holds.release(control, name);
        }
      }
      return new Result<>(proof, work.run(src, tgt));
    } finally {
      end(src);
      end(tgt);
    }
  }

  /** Waits for the stream's answer to the hold at {@code until}; returns its position. */
  private StreamPosition answer(
      Connection control, StreamHold holds, String name, StreamPosition until) throws SQLException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      StreamHold.Hold h = holds.read(control, name).orElse(null);
      if (h != null
          && h.reached() != null
          && (until == null ? h.until() == null : until.equals(h.until()))) {
        return h.reached();
      }
      if (System.nanoTime() > deadline) {
        throw new MigrationException(
            ErrorCode.TRANSIENT_SQL,
            "the change stream "
                + name
                + " did not "
                + (until == null ? "pause" : "reach " + until.text())
                + " for the validation within "
                + timeout.toSeconds()
                + " s: an online migration is validated at a stream position, so its stream must"
                + " be running (the Migrate stage's change stream); check `studio status` and run"
                + " the validation again");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MigrationException(
            ErrorCode.TRANSIENT_SQL, "interrupted while waiting for the change stream " + name, e);
      }
    }
  }

  private static void end(Connection c) throws SQLException {
    if (!c.isClosed() && !c.getAutoCommit()) {
      c.rollback();
      c.setAutoCommit(true);
    }
  }

  /**
   * The validation report with the position it proved: {@code position} in {@code validation.json}
   * and a line in {@code validation.md}.
   */
  public static StageOutput stamp(StageOutput out, Proof proof) {
    byte[] json = out.files().get(ArtifactPaths.VALIDATION_JSON);
    if (json == null) {
      return out;
    }
    com.fasterxml.jackson.databind.node.ObjectNode tree =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            Json.read(
                json, com.fasterxml.jackson.databind.JsonNode.class, ArtifactPaths.VALIDATION_JSON);
    com.fasterxml.jackson.databind.node.ObjectNode position = tree.putObject(POSITION);
    position.put("capture", proof.capture());
    position.put("source_position", proof.sourcePosition());
    position.put("target_position", proof.targetPosition());
    String line =
        "Compared at source position `"
            + proof.sourcePosition()
            + "` while the change stream ran: the target held the stream `"
            + proof.capture()
            + "` at `"
            + proof.targetPosition()
            + "` (every source transaction up to that position, none after).\n\n";
    return withReport(out, Json.write(tree), line);
  }

  /**
   * {@code out} with {@code json} as its validation.json and {@code line} as the first paragraph
   * after validation.md's heading (when it has a validation.md).
   */
  static StageOutput withReport(StageOutput out, String json, String line) {
    Map<String, byte[]> files = new LinkedHashMap<>(out.files());
    files.put(ArtifactPaths.VALIDATION_JSON, Json.bytes(json));
    byte[] md = out.files().get(ArtifactPaths.VALIDATION_MD);
    if (md != null) {
      String text = new String(md, StandardCharsets.UTF_8);
      int heading = text.indexOf("\n\n");
      text =
          heading < 0
              ? line + text
              : text.substring(0, heading + 2) + line + text.substring(heading + 2);
      files.put(ArtifactPaths.VALIDATION_MD, Json.bytes(text));
    }
    return new StageOutput(files, out.verdict(), out.summary());
  }
}
