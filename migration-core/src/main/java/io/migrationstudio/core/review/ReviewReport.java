package io.migrationstudio.core.review;

import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.MarkdownTable;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.review.Finding.Level;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The review's artifacts: {@code compatibility.json} and {@code compatibility.md} (findings sorted
 * by verdict, with the counts) and {@code dry-run.md}; the verdict fails on any failing finding.
 */
final class ReviewReport {
  private ReviewReport() {}

  static StageOutput output(
      List<Finding> findings,
      MappingDocument mapping,
      int columns,
      String dryRun,
      String writesNote) {
    List<Finding> sorted =
        findings.stream().sorted(Comparator.comparing(Finding::verdict)).toList();
    long fail = sorted.stream().filter(f -> f.verdict() == Level.FAIL).count();
    long warning = sorted.stream().filter(f -> f.verdict() == Level.WARNING).count();
    long ok = sorted.size() - fail - warning;
    Verdict verdict = fail > 0 ? Verdict.FAIL : Verdict.PASS;
    CompatibilityReport report =
        new CompatibilityReport(
            verdict,
            mapping.sourceEngine(),
            mapping.sourceSchema(),
            mapping.targetSchema(),
            mapping.tables().size(),
            columns,
            fail,
            warning,
            ok,
            sorted);
    String counts =
        fail
            + " fail, "
            + warning
            + " warning, "
            + ok
            + " ok over "
            + mapping.tables().size()
            + " tables and "
            + columns
            + " columns";
    String summary = "compatibility " + verdict + ": " + counts + "; " + writesNote;
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(ArtifactPaths.COMPATIBILITY_JSON, Json.bytes(Json.write(report)));
    files.put(ArtifactPaths.COMPATIBILITY_MD, Json.bytes(markdown(report, counts, writesNote)));
    files.put(ArtifactPaths.DRY_RUN_MD, Json.bytes(dryRun.toString()));
    return new StageOutput(files, verdict, summary);
  }

  private static String markdown(CompatibilityReport report, String counts, String writesNote) {
    StringBuilder md = new StringBuilder();
    md.append("# Compatibility review\n\n");
    md.append("**Verdict: ")
        .append(report.verdict())
        .append("** — ")
        .append(counts)
        .append(".\n\n");
    md.append("**Source writes:** ")
        .append(writesNote.substring(0, 1).toUpperCase(java.util.Locale.ROOT))
        .append(writesNote.substring(1))
        .append(".\n\n");
    MarkdownTable.header(
        md,
        List.of(
            "verdict", "table", "column", "check", "count", "max seen", "example keys", "detail"));
    for (Finding f : report.findings()) {
      MarkdownTable.row(
          md,
          List.of(
              f.verdict().key(),
              CompatibilityReviewer.escape(f.table()),
              f.column() == null ? "" : CompatibilityReviewer.escape(f.column()),
              f.check(),
              f.count() == null ? "" : f.count().toString(),
              f.maxSeen() == null ? "" : CompatibilityReviewer.escape(f.maxSeen()),
              f.examples() == null
                  ? ""
                  : CompatibilityReviewer.escape(String.join("; ", f.examples())),
              CompatibilityReviewer.escape(f.detail())));
    }
    md.append(
        "\nA failing finding loses data unless the mapping changes: widen the type, make the"
            + " column nullable, or state the loss explicitly with a transform. Warnings name structure"
            + " or semantics to confirm; ok rows show what was measured.\n");
    return md.toString();
  }
}
