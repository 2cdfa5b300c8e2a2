package io.migrationstudio.core.cutover;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.cdc.apply.RowChanges;
import io.migrationstudio.core.cdc.apply.StreamPositions;
import io.migrationstudio.core.cdc.apply.StreamService;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.dialect.Connections;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.validate.KeyedComparison;
import io.migrationstudio.core.validate.ValidationReport;
import io.migrationstudio.core.validate.Validator;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The comparison of both sides while they are frozen, shared by the cutover (source frozen, before
 * the switch) and the rollback (both frozen, after the reverse drain, before the switch back).
 * Never counts alone: a count comparison passed a cutover whose source rows had been updated after
 * Validation.
 *
 * <ul>
 *   <li><b>full</b> ({@link #compare}): every table compared in full, counts and chunk checksums on
 *       both sides (SQL hashing where the engines allow, the canonical client-side hash otherwise),
 *       differing chunks bisected to the rows. Its time grows with the database.
 *   <li><b>changed</b> ({@link #run} with a {@link Plan} of mode {@code changed}; an online
 *       cutover's default): the Validation proved both sides equal at a stream position (its
 *       positioned comparison, {@code validation.json} {@code position.target_position}); the
 *       change stream recorded, with each batch it applied, the keys of the rows it changed ({@link
 *       RowChanges}). Under the freeze, after the drain, exactly the rows changed after the proof
 *       are compared by key on both sides ({@link KeyedComparison}: SQL hash sums where possible,
 *       the validator's canonical comparison otherwise), and a table the stream truncated is
 *       compared in full. Its time grows with the writes since the proof. A row changed before the
 *       proof and corrupted on the target afterwards, behind the stream's back, is not this check's
 *       to find: the proof covered the row as it was, and a direct write on the target is what the
 *       full Validation ({@code validation.full}) finds.
 * </ul>
 *
 * The full check runs instead for a bulk cutover, {@code cutover.final_check: full}, a missing or
 * failed proof or one of another stream, and a record that may be incomplete ({@link
 * RowChanges#coverage}); the cutover log says which ran and why.
 */
public final class FinalCheck {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FinalCheck.class);

  private FinalCheck() {}

  /**
   * What the comparison found: one row per table, and for each table that differs a line naming it
   * with its counts, its missing, extra and changed rows and up to five of them (keys masked as the
   * evidence is).
   */
  public record Result(List<CutoverLog.TableCount> tables, List<String> different) {
    public Result {
      tables = List.copyOf(tables);
      different = List.copyOf(different);
    }

    public boolean same() {
      return different.isEmpty();
    }
  }

  /**
   * Connection pairs comparing tables at once. The freeze holds every application's writes while
   * this runs, and a table's fixed costs (metadata, ledger, chunk plan, counts: round trips, not
   * throughput) dominate small tables; two pairs overlap them without crowding the servers, and
   * each pair already hashes its source and target side in parallel.
   */
  static final int PAIRS = 2;

  /**
   * Which check runs: {@code mode} {@link CutoverLog#CHECK_CHANGED} from the stream position {@code
   * proof} (the target's position at the Validation's proof; null: the stream's start), or {@link
   * CutoverLog#CHECK_FULL}; {@code reason} says why.
   */
  public record Plan(String mode, String proof, String reason) {
    public Plan {
      if (!CutoverLog.CHECK_CHANGED.equals(mode) && !CutoverLog.CHECK_FULL.equals(mode)) {
        throw new IllegalArgumentException("final check mode must be changed or full: " + mode);
      }
    }

    static Plan full(String reason) {
      return new Plan(CutoverLog.CHECK_FULL, null, reason);
    }
  }

  /**
   * The plan of a cutover: {@code online} with the change stream {@code capture}, the spec's {@code
   * cutover.final_check}, and the last {@code validation.json} (empty when there is none).
   */
  public static Plan plan(
      MigrationSpec spec, boolean online, String capture, Optional<byte[]> validationJson) {
    if (!online) {
      return Plan.full("a bulk cutover: no change stream records what changed since Validation");
    }
    if (CutoverLog.CHECK_FULL.equals(spec.cutover().finalCheck())) {
      return Plan.full("cutover.final_check: full");
    }
    if (validationJson.isEmpty()) {
      return Plan.full("no Validation report to start from");
    }
    JsonNode report;
    try {
      report = Json.read(validationJson.get(), JsonNode.class, ArtifactPaths.VALIDATION_JSON);
    } catch (RuntimeException e) {
      return Plan.full("the Validation report cannot be read (" + e.getMessage() + ")");
    }
    if (!Verdict.PASS.name().equals(report.path("status").asText())) {
      return Plan.full(
          "the last Validation did not pass (status " + report.path("status").asText() + ")");
    }
    JsonNode position = report.path("position");
    String proof = position.path("target_position").asText(null);
    if (proof == null || !capture.equals(position.path("capture").asText(null))) {
      return Plan.full(
          "the last Validation recorded no proof position of the change stream " + capture);
    }
    try {
      StreamPosition.parse(proof);
    } catch (IllegalArgumentException e) {
      return Plan.full("the Validation's proof position is not a stream position: " + proof);
    }
    return new Plan(
        CutoverLog.CHECK_CHANGED,
        proof,
        "the rows the change stream changed after the Validation's proof at " + proof);
  }

  /**
   * After a passed Validation of an online migration ({@code validationJson}, about to be committed
   * as the last report; the Validation stage's activity calls it, so that core.validate does not
   * depend on the cutover): deletes the batches of the change stream's record ({@link RowChanges})
   * on the target that end at or before the report's proof. The cutover's check reads only the
   * batches after the last passed Validation's proof ({@link #plan}), and a later Validation proves
   * a later position, so those serve no check; the record stays bounded by the changes since the
   * last proof while a stream runs for days. Pruning more than a committed report needs (this
   * report never committed, an older one the last) only costs speed: the record then starts after
   * that report's proof, which {@link RowChanges#coverage} sees, and the check compares every table
   * in full. Nothing for a report a cutover would not start from ({@link #plan}: not PASS, no proof
   * of this stream, {@code cutover.final_check: full}). A failure is logged, not thrown: the
   * Validation's verdict does not depend on it, and the next one prunes again. Returns the batches
   * deleted.
   */
  public static int pruneToProof(
      MigrationSpec spec, Secrets secrets, String migrationId, byte[] validationJson) {
    if (!spec.migrate().online()) {
      return 0;
    }
    String capture = StreamService.captureName(migrationId);
    Plan plan = plan(spec, true, capture, Optional.ofNullable(validationJson));
    if (!CutoverLog.CHECK_CHANGED.equals(plan.mode())) {
      return 0;
    }
    try {
      return Connections.onTarget(
          spec,
          secrets,
          "pruning the record of changed rows of migration "
              + migrationId
              + " up to the Validation's proof",
          tgt ->
              new RowChanges(Dialects.target(spec), TargetSchema.DEFAULT_STUDIO_SCHEMA)
                  .prune(tgt, migrationId, capture, StreamPosition.parse(plan.proof())));
    } catch (MigrationException e) {
      LOG.warn("{}; the record is pruned at the next Validation", e.getMessage());
      return 0;
    }
  }

  /** What {@link #run} compared and found. */
  public record Outcome(Result result, CutoverLog.Check check) {}

  /**
   * Runs {@code plan} on the frozen pair of migration {@code migrationId}: the changed rows since
   * its proof, or (mode full, or a record that may be incomplete) every table in full.
   */
  public static Outcome run(
      MigrationSpec spec, Secrets secrets, MappingDocument mapping, String migrationId, Plan plan) {
    long started = System.nanoTime();
    if (CutoverLog.CHECK_FULL.equals(plan.mode())) {
      return full(spec, secrets, mapping, plan.reason(), started);
    }
    StreamPosition proof = StreamPosition.parse(plan.proof());
    String capture = StreamService.captureName(migrationId);
    Dialect td = Dialects.target(spec);
    RowChanges record = new RowChanges(td, TargetSchema.DEFAULT_STUDIO_SCHEMA);
    Read read =
        Connections.onBothReadOnly(
            spec,
            secrets,
            "comparing the rows changed since the Validation's proof under the freeze",
            (src, tgt) -> {
              RowChanges.Coverage coverage =
                  record.coverage(
                      tgt,
                      migrationId,
                      capture,
                      new StreamPositions(td, TargetSchema.DEFAULT_STUDIO_SCHEMA),
                      proof);
              if (!coverage.complete()) {
                return new Read(coverage, null, List.of());
              }
              Map<String, List<RowChanges.Changed>> changed =
                  record.since(tgt, migrationId, capture, proof);
              Map<String, List<RowChanges.Changed>> byKey = new TreeMap<>();
              List<TableMapping> whole = new ArrayList<>();
              for (Map.Entry<String, List<RowChanges.Changed>> e : changed.entrySet()) {
                Optional<TableMapping> t = mapping.bySource(e.getKey());
                if (t.isEmpty()) {
                  continue; // out of the approved mapping: not switched, not compared
                }
                if (e.getValue().stream().anyMatch(RowChanges.Changed::wholeTable)) {
                  whole.add(t.get());
                } else {
                  byKey.put(e.getKey(), e.getValue());
                }
              }
              ValidationReport keyed =
                  new KeyedComparison(Dialects.source(spec), td)
                      .compare(
                          src,
                          tgt,
                          mapping,
                          migrationId,
                          byKey,
                          EvidenceMask.plain(spec.mapping().plainEvidence()));
              return new Read(coverage, keyed, whole);
            });
    return finish(spec, secrets, mapping, plan.reason(), plan.proof(), read, started);
  }

  /**
   * A record of the rows a reverse stream changed on the source, read in the check's source
   * session: whether it holds every row changed after a position ({@link RowChanges#coverage}), and
   * those rows by the reverse stream's source table, keys as (target, source) text. Each source
   * engine's reverse applier keeps its own ({@code ReverseApplier#changedRows}).
   */
  public interface ChangedRows {
    /**
     * Whether the record holds every row changed after {@code proof} (the switch; null: its first
     * batch), its detail naming the point {@link RowChanges#SWITCH}.
     */
    RowChanges.Coverage coverage(Connection source, StreamPosition proof) throws SQLException;

    /** The rows changed after {@code proof}, each once; a whole table has null keys. */
    Map<String, List<RowChanges.Changed>> since(Connection source, StreamPosition proof)
        throws SQLException;
  }

  /**
   * The rollback's check of both frozen sides after the reverse drain: the rows the reverse stream
   * changed on the source since the switch ({@code reverseStart}, where its capture began: both
   * sides were proved equal under the cutover's freeze right before it), read from the {@code
   * record} its applier keeps on the source (PostgreSQL and MariaDB: {@code studio.row_changes}),
   * target keys swapped back to the forward mapping's source keys through {@code inverse}, whose
   * tables are {@code all}'s in order), compared by key; a table truncated on the target is
   * compared in full ({@code reverseStart} null: from the record's first batch, which must begin at
   * an empty position). Every table of {@code mapping} in full instead for {@code
   * cutover.final_check: full} or a record with a gap.
   */
  public static Outcome reverse(
      MigrationSpec spec,
      Secrets secrets,
      MappingDocument mapping,
      MappingDocument all,
      MappingDocument inverse,
      ChangedRows record,
      String reverseStart) {
    long started = System.nanoTime();
    if (CutoverLog.CHECK_FULL.equals(spec.cutover().finalCheck())) {
      return full(spec, secrets, mapping, "cutover.final_check: full", started);
    }
    Dialect sd = Dialects.source(spec);
    // null (the workflow's and studio rollback SPEC's rollback): from the record's first batch,
    // which the reverse stream applied first after the switch (its position on the source starts
    // empty); a record that does not begin there has a gap
    StreamPosition proof = reverseStart == null ? null : StreamPosition.parse(reverseStart);
    Map<String, TableMapping> forward = new HashMap<>();
    for (int i = 0; i < inverse.tables().size(); i++) {
      TableMapping f = all.tables().get(i);
      if (mapping.bySource(f.source()).isPresent()) {
        forward.put(inverse.tables().get(i).source(), f);
      }
    }
    Read read =
        Connections.onBothReadOnly(
            spec,
            secrets,
            "comparing the rows changed on the target since the switch, both sides frozen",
            (src, tgt) -> {
              RowChanges.Coverage coverage = record.coverage(src, proof);
              if (!coverage.complete()) {
                return new Read(coverage, null, List.of());
              }
              Map<String, List<RowChanges.Changed>> byKey = new TreeMap<>();
              List<TableMapping> whole = new ArrayList<>();
              for (Map.Entry<String, List<RowChanges.Changed>> e :
                  record.since(src, proof).entrySet()) {
                TableMapping f = forward.get(e.getKey());
                if (f == null) {
                  continue; // a table with a row filter, or out of the mapping: not compared
                }
                if (e.getValue().stream().anyMatch(RowChanges.Changed::wholeTable)) {
                  whole.add(f);
                } else {
                  // the reverse applier's source is the forward target: keys swapped back
                  byKey.put(
                      f.source(),
                      e.getValue().stream()
                          .map(
                              c -> new RowChanges.Changed(f.source(), c.targetKey(), c.sourceKey()))
                          .toList());
                }
              }
              ValidationReport keyed =
                  new KeyedComparison(sd, Dialects.target(spec))
                      .compare(
                          src,
                          tgt,
                          mapping,
                          spec.id(),
                          byKey,
                          EvidenceMask.plain(spec.mapping().plainEvidence()));
              return new Read(coverage, keyed, whole);
            });
    return finish(
        spec,
        secrets,
        mapping,
        reverseStart == null
            ? "the rows the reverse stream changed since its start at the switch"
            : "the rows the reverse stream changed after the switch at " + reverseStart,
        reverseStart,
        read,
        started);
  }

  /** The outcome of a changed-rows check from what it read (a gap: every table in full). */
  private static Outcome finish(
      MigrationSpec spec,
      Secrets secrets,
      MappingDocument mapping,
      String reason,
      String proof,
      Read read,
      long started) {
    RowChanges.Coverage coverage = read.coverage();
    if (!coverage.complete()) {
      return full(
          spec,
          secrets,
          mapping,
          "the record of changed rows may be incomplete ("
              + coverage.detail()
              + "): every table compared in full instead",
          started);
    }
    ValidationReport keyed = read.keyed();
    List<TableMapping> whole = read.whole();
    Map<String, ValidationReport.TableValidation> compared = new HashMap<>();
    keyed.tables().forEach(t -> compared.put(t.table(), t));
    long rows = keyed.tables().stream().mapToLong(ValidationReport.TableValidation::sampled).sum();
    if (!whole.isEmpty()) {
      for (ValidationReport.TableValidation t : tables(spec, secrets, only(mapping, whole))) {
        compared.put(t.table(), t);
        rows += t.sourceRows();
      }
    }
    Result result = result(mapping, compared);
    return new Outcome(
        result,
        new CutoverLog.Check(
            CutoverLog.CHECK_CHANGED,
            reason
                + (whole.isEmpty()
                    ? ""
                    : "; compared in full: "
                        + whole.stream().map(TableMapping::source).toList()
                        + " (truncated, or keys the record cannot bind back)"),
            proof,
            rows,
            compared.size(),
            whole.size(),
            StepRecorder.millis(System.nanoTime() - started)));
  }

  /** What the changed-rows check read on the frozen pair. */
  private record Read(
      RowChanges.Coverage coverage, ValidationReport keyed, List<TableMapping> whole) {}

  private static Outcome full(
      MigrationSpec spec, Secrets secrets, MappingDocument mapping, String reason, long started) {
    Result r = compare(spec, secrets, mapping);
    return new Outcome(
        r,
        new CutoverLog.Check(
            CutoverLog.CHECK_FULL,
            reason,
            null,
            r.tables().stream().mapToLong(CutoverLog.TableCount::sourceRows).sum(),
            r.tables().size(),
            r.tables().size(),
            StepRecorder.millis(System.nanoTime() - started)));
  }

  /** Compares every table of {@code mapping} between the spec's source and target. */
  public static Result compare(MigrationSpec spec, Secrets secrets, MappingDocument mapping) {
    Map<String, ValidationReport.TableValidation> compared = new HashMap<>();
    tables(spec, secrets, mapping).forEach(t -> compared.put(t.table(), t));
    return result(mapping, compared);
  }

  /** Every table of {@code mapping} compared in full, over up to {@link #PAIRS} pairs. */
  private static List<ValidationReport.TableValidation> tables(
      MigrationSpec spec, Secrets secrets, MappingDocument mapping) {
    List<List<TableMapping>> shares = new ArrayList<>();
    for (int i = 0; i < Math.min(PAIRS, mapping.tables().size()); i++) {
      shares.add(new ArrayList<>());
    }
    for (int i = 0; i < mapping.tables().size(); i++) {
      shares.get(i % shares.size()).add(mapping.tables().get(i));
    }
    Map<String, ValidationReport.TableValidation> compared = new HashMap<>();
    if (shares.size() <= 1) {
      report(spec, secrets, mapping).tables().forEach(t -> compared.put(t.table(), t));
    } else {
      ExecutorService pool =
          Executors.newFixedThreadPool(
              shares.size(),
              r -> {
                Thread th = new Thread(r, "final-check");
                th.setDaemon(true);
                return th;
              });
      try {
        List<Future<ValidationReport>> parts = new ArrayList<>();
        for (List<TableMapping> share : shares) {
          parts.add(pool.submit(() -> report(spec, secrets, only(mapping, share))));
        }
        for (Future<ValidationReport> part : parts) {
          part.get().tables().forEach(t -> compared.put(t.table(), t));
        }
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        if (e.getCause() instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MigrationException(
            ErrorCode.CUTOVER_FAILED,
            "interrupted while comparing source and target under the freeze; run it again");
      } finally {
        pool.shutdownNow();
      }
    }
    return new ArrayList<>(compared.values());
  }

  /** One row per compared table of {@code mapping} (in its order), and the differing ones named. */
  private static Result result(
      MappingDocument mapping, Map<String, ValidationReport.TableValidation> compared) {
    List<CutoverLog.TableCount> tables = new ArrayList<>();
    List<String> different = new ArrayList<>();
    for (TableMapping m : mapping.tables()) {
      ValidationReport.TableValidation t = compared.get(m.source());
      if (t == null) {
        continue; // not changed since the proof
      }
      boolean same = t.status() == Verdict.PASS;
      tables.add(
          new CutoverLog.TableCount(
              t.table(), t.targetTable(), t.sourceRows(), t.targetRows(), same));
      if (!same) {
        different.add(
            t.table()
                + " ("
                + t.sourceRows()
                + " vs "
                + t.targetRows()
                + " rows; missing "
                + t.missing()
                + ", extra "
                + t.extra()
                + ", changed "
                + t.changed()
                + rows(t.differences())
                + ")");
      }
    }
    return new Result(tables, different);
  }

  /** {@code mapping} with {@code tables} only (its sequences and settings as they are). */
  public static MappingDocument only(MappingDocument mapping, List<TableMapping> tables) {
    return new MappingDocument(
        mapping.version(),
        mapping.naming(),
        mapping.sourceEngine(),
        mapping.sourceSchema(),
        mapping.targetSchema(),
        tables,
        mapping.sequences());
  }

  /** Counts and checksums of {@code mapping}'s tables over one read-only connection pair. */
  private static ValidationReport report(
      MigrationSpec spec, Secrets secrets, MappingDocument mapping) {
    return Connections.onBothReadOnly(
        spec,
        secrets,
        "comparing source and target under the freeze",
        (src, tgt) ->
            new Validator(Dialects.source(spec), Dialects.target(spec))
                .checksums(
                    src,
                    tgt,
                    mapping,
                    spec.id(),
                    Validator.ledgerlessChunkRows(spec.migrate()),
                    EvidenceMask.plain(spec.mapping().plainEvidence())));
  }

  /** Up to five differing rows, as "kind key". */
  private static String rows(List<ValidationReport.Difference> differences) {
    if (differences.isEmpty()) {
      return "";
    }
    List<String> shown = differences.stream().limit(5).map(d -> d.kind() + " " + d.key()).toList();
    return "; rows: " + String.join(", ", shown) + (differences.size() > shown.size() ? " …" : "");
  }
}
