package io.migrationstudio.core.cutover;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.dialect.Connections;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.validate.ValidationReport;
import io.migrationstudio.core.validate.Validator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The comparison of both sides while they are frozen, shared by the cutover (source frozen, before
 * the switch) and the rollback (both frozen, after the reverse drain, before the switch back):
 * every table compared in full, counts and chunk checksums on both sides (SQL hashing where the
 * engines allow, the canonical client-side hash otherwise), differing chunks bisected to the rows.
 * Never an earlier proof and never counts alone: a count comparison passed a cutover whose source
 * rows had been updated after Validation.
 */
public final class FinalCheck {
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

  /** Compares every table of {@code mapping} between the spec's source and target. */
  public static Result compare(MigrationSpec spec, Secrets secrets, MappingDocument mapping) {
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
    List<CutoverLog.TableCount> tables = new ArrayList<>();
    List<String> different = new ArrayList<>();
    for (TableMapping m : mapping.tables()) {
      ValidationReport.TableValidation t = compared.get(m.source());
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
