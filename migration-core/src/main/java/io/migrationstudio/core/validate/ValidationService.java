package io.migrationstudio.core.validate;

import io.migrationstudio.contracts.activity.FreshnessResult;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.QuerySpec;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.dialect.Connections;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.spec.SecretResolver;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * The Validation stage's work for one spec at a time, built once per worker: each method opens its
 * connections through {@link Connections} (one frame, failures classified) and runs {@link
 * Validator} (stamped by {@link Freshness}), {@link RegressionReplayer}, the freshness comparison
 * or {@link RepairPlanner}. The activity adapter only reads artifacts and commits what comes out.
 */
public final class ValidationService {
  private final SecretResolver secrets;

  public ValidationService(SecretResolver secrets) {
    this.secrets = Objects.requireNonNull(secrets);
  }

  /**
   * The validation report through {@code mapping}, stamped with when it was made (workflow time)
   * and against which ledger state, for Cutover's freshness check, and with how long it and each
   * check took ({@link CheckTimings}). An online migration's stream is held at a source position
   * while both sides' snapshots open ({@link PositionedValidation}), and the report records it.
   */
  public StageOutput validate(
      MigrationSpec spec, MappingDocument mapping, String migrationId, long stageStartedAtMillis) {
    return validate(spec, mapping, migrationId, stageStartedAtMillis, null, null);
  }

  /**
   * As above; an online migration's validation reuses the proofs of {@code previousReport} (the
   * last {@code validation.json}, committed by {@code previousCommit}; both null when there is
   * none) for the chunks the change stream did not touch since ({@link ChunkReuse}), unless {@code
   * validation.full} is set.
   */
  public StageOutput validate(
      MigrationSpec spec,
      MappingDocument mapping,
      String migrationId,
      long stageStartedAtMillis,
      byte[] previousReport,
      String previousCommit) {
    // online, a source whose log lacks its cascades: the child rows the source's foreign-key
    // actions removed where the stream could not follow, removed first (at a held position)
    List<io.migrationstudio.core.cdc.apply.CascadeOrphans.Removed> swept =
        new OrphanSweep(secrets).run(spec, mapping, migrationId);
    // online: the foreign keys the load left NOT VALID, validated now that the stream has passed
    // the end of the copy (the Migrate checker saw it caught up); one that cannot be fails the
    // stage
    List<io.migrationstudio.core.cdc.apply.ForeignKeyValidation.Failure> foreignKeys =
        spec.migrate().online()
            ? Connections.onTarget(
                spec,
                secrets,
                "validating the foreign keys of migration " + migrationId,
                tgt ->
                    new io.migrationstudio.core.cdc.apply.ForeignKeyValidation(
                            Dialects.target(spec), TargetSchema.DEFAULT_STUDIO_SCHEMA)
                        .validate(
                            tgt,
                            mapping,
                            migrationId,
                            io.migrationstudio.core.cdc.apply.StreamService.captureName(
                                migrationId)))
            : List.of();
    StageOutput validated =
        validateRows(
            spec, mapping, migrationId, stageStartedAtMillis, previousReport, previousCommit);
    StageOutput out = foreignKeys.isEmpty() ? validated : foreignKeysFailed(validated, foreignKeys);
    return swept.isEmpty() ? out : orphansSwept(out, swept);
  }

  /**
   * {@code out} saying what the cascade orphan sweep removed: a block at the top of {@code
   * validation.md} and a note in the summary (never silent).
   */
  static StageOutput orphansSwept(
      StageOutput out, List<io.migrationstudio.core.cdc.apply.CascadeOrphans.Removed> swept) {
    StringBuilder block =
        new StringBuilder(
            "Rows the source's foreign-key actions removed (the binlog does not carry them),"
                + " removed on the target before its foreign keys were validated:\n\n");
    long rows = 0;
    for (io.migrationstudio.core.cdc.apply.CascadeOrphans.Removed r : swept) {
      block.append("- ").append(r.line()).append("\n");
      rows += r.deleted() + r.nulled();
    }
    java.util.Map<String, byte[]> files = new java.util.LinkedHashMap<>(out.files());
    byte[] md = files.get(io.migrationstudio.core.report.ArtifactPaths.VALIDATION_MD);
    String text = md == null ? "" : new String(md, java.nio.charset.StandardCharsets.UTF_8);
    int heading = text.startsWith("#") ? text.indexOf("\n\n") : -1;
    text =
        heading < 0
            ? block + "\n" + text
            : text.substring(0, heading + 2) + block + "\n" + text.substring(heading + 2);
    files.put(
        io.migrationstudio.core.report.ArtifactPaths.VALIDATION_MD,
        text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return new StageOutput(
        files,
        out.verdict(),
        out.summary() + "; " + rows + " cascade orphan row(s) removed or nulled on the target");
  }

  /**
   * {@code out} failed for the foreign keys that could not be validated: verdict FAIL, each named
   * with its orphans in the summary and at the top of {@code validation.md}.
   */
  static StageOutput foreignKeysFailed(
      StageOutput out,
      List<io.migrationstudio.core.cdc.apply.ForeignKeyValidation.Failure> failed) {
    StringBuilder line = new StringBuilder();
    for (io.migrationstudio.core.cdc.apply.ForeignKeyValidation.Failure f : failed) {
      line.append(line.length() == 0 ? "" : "\n").append("- FAIL: ").append(f.message());
    }
    java.util.Map<String, byte[]> files = new java.util.LinkedHashMap<>(out.files());
    byte[] md = files.get(io.migrationstudio.core.report.ArtifactPaths.VALIDATION_MD);
    String block = "Foreign keys not validated:\n\n" + line + "\n\n";
    String text = md == null ? "" : new String(md, java.nio.charset.StandardCharsets.UTF_8);
    int heading = text.startsWith("#") ? text.indexOf("\n\n") : -1;
    text =
        heading < 0
            ? block + text
            : text.substring(0, heading + 2) + block + text.substring(heading + 2);
    files.put(
        io.migrationstudio.core.report.ArtifactPaths.VALIDATION_MD,
        text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return new StageOutput(
        files,
        io.migrationstudio.contracts.workflow.Verdict.FAIL,
        failed.size()
            + " foreign key(s) not validated ("
            + failed.get(0).message()
            + "); "
            + out.summary());
  }

  private StageOutput validateRows(
      MigrationSpec spec,
      MappingDocument mapping,
      String migrationId,
      long stageStartedAtMillis,
      byte[] previousReport,
      String previousCommit) {
    return Connections.onBothReadOnly(
        spec,
        secrets,
        "validating migration " + migrationId,
        (src, tgt) -> {
          CheckTimings timings = new CheckTimings(Clock.systemUTC());
          boolean online = spec.migrate().online();
          ChunkReuse[] reuse = new ChunkReuse[1];
          Connections.PairWork<StageOutput> work =
              (s, t) -> {
                if (online) {
                  // in the target snapshot: the stream's marks at the position both sides hold
                  reuse[0] =
                      ChunkReuse.plan(
                          spec.validation().full(),
                          previousReport,
                          previousCommit,
                          current(spec, mapping, migrationId, t));
                }
                return new Validator(Dialects.source(spec), Dialects.target(spec))
                    .validate(
                        s,
                        t,
                        mapping,
                        migrationId,
                        spec.validation().sampleRows(),
                        Validator.ledgerlessChunkRows(spec.migrate()),
                        EvidenceMask.plain(spec.mapping().plainEvidence()),
                        timings,
                        reuse[0]);
              };
          StageOutput out;
          if (online) {
            // the stream runs: compare both sides at one source position it is held at
            PositionedValidation.Result<StageOutput> r =
                new PositionedValidation(secrets).run(spec, migrationId, src, tgt, work);
            out =
                reuse[0].stamp(
                    PositionedValidation.stamp(r.value(), r.proof()), r.proof().sourcePosition());
          } else {
            out = work.run(src, tgt);
          }
          return timings.stamp(
              Freshness.stamp(
                  out,
                  stageStartedAtMillis,
                  Freshness.ledgerState(
                      tgt,
                      Dialects.target(spec),
                      TargetSchema.DEFAULT_STUDIO_SCHEMA,
                      migrationId)));
        });
  }

  /** What the target holds at a positioned validation's snapshot, for {@link ChunkReuse}. */
  private static ChunkReuse.Current current(
      MigrationSpec spec, MappingDocument mapping, String migrationId, java.sql.Connection tgt)
      throws java.sql.SQLException {
    io.migrationstudio.core.dialect.Dialect td = Dialects.target(spec);
    String schema = TargetSchema.DEFAULT_STUDIO_SCHEMA;
    String capture = io.migrationstudio.core.cdc.apply.StreamService.captureName(migrationId);
    String position =
        new io.migrationstudio.core.cdc.apply.StreamPositions(td, schema)
            .read(tgt, capture)
            .map(p -> p.position() == null ? null : p.position().text())
            .orElse(null);
    return new ChunkReuse.Current(
        capture,
        position,
        Freshness.ledgerState(tgt, td, schema, migrationId).digest(),
        ChunkReuse.mappingDigest(mapping),
        new io.migrationstudio.core.cdc.apply.ChunkChanges(td, schema).read(tgt, migrationId));
  }

  /** The spec's query set replayed on both sides; {@code validationJson} may be null. */
  public StageOutput replay(MigrationSpec spec, String migrationId, byte[] validationJson) {
    RegressionReplayer replayer =
        new RegressionReplayer(Dialects.source(spec), Dialects.target(spec));
    List<QuerySpec> queries = spec.validation().queries();
    double tolerance = spec.validation().latencyTolerance();
    String what = "replaying the query set of migration " + migrationId;
    return onBoth(
        spec,
        what,
        (src, tgt) -> replayer.replay(src, tgt, migrationId, queries, tolerance, validationJson));
  }

  /**
   * Whether the report {@code validationJson} (written by {@code reportCommit}; both null when
   * there is none on {@code branch}) still describes the chunk ledger on the target.
   */
  public FreshnessResult freshness(
      MigrationSpec spec,
      String migrationId,
      String branch,
      String reportCommit,
      byte[] validationJson) {
    if (reportCommit == null) {
      return new FreshnessResult(
          null,
          null,
          false,
          "no " + io.migrationstudio.core.report.ArtifactPaths.VALIDATION_JSON + " on " + branch);
    }
    Freshness.Stamp stamp = Freshness.read(validationJson);
    Freshness.LedgerState now =
        Connections.onTargetReadOnly(
            spec,
            secrets,
            "reading the chunk ledger of migration " + migrationId + " for the freshness check",
            tgt ->
                Freshness.ledgerState(
                    tgt, Dialects.target(spec), TargetSchema.DEFAULT_STUDIO_SCHEMA, migrationId));
    if (stamp.ledger() == null) {
      return new FreshnessResult(
          stamp.generatedAtMillis(),
          reportCommit,
          false,
          "the report records no ledger state; the ledger now has " + now.describe());
    }
    boolean same = stamp.ledger().equals(now);
    return new FreshnessResult(
        stamp.generatedAtMillis(),
        reportCommit,
        same,
        same
            ? "ledger unchanged: " + now.describe()
            : "the chunk ledger changed since the report: it recorded "
                + stamp.ledger().describe()
                + ", the target now has "
                + now.describe());
  }

  /** Which ledger chunks of the failing tables differ, from the report at {@code at}. */
  public RepairPlanner.Result planRepair(
      MigrationSpec spec,
      MappingDocument mapping,
      String migrationId,
      byte[] validationJson,
      String at) {
    RepairPlanner planner =
        new RepairPlanner(
            Dialects.source(spec), Dialects.target(spec), TargetSchema.DEFAULT_STUDIO_SCHEMA);
    String what = "planning the repair of migration " + migrationId;
    return onBoth(
        spec,
        what,
        (src, tgt) ->
            planner.plan(
                src,
                tgt,
                mapping,
                migrationId,
                validationJson,
                at,
                EvidenceMask.plain(spec.mapping().plainEvidence())));
  }

  private <T> T onBoth(MigrationSpec spec, String what, Connections.PairWork<T> work) {
    return Connections.onBothReadOnly(spec, secrets, what, work);
  }
}
