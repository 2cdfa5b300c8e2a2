package io.migrationstudio.core.assess;

import static io.migrationstudio.core.report.MarkdownTable.cell;
import static io.migrationstudio.core.report.MarkdownTable.code;
import static io.migrationstudio.core.report.MarkdownTable.codes;

import io.migrationstudio.core.schema.Inventory;

/**
 * {@code risks.md}: the verdict, a summary table, every risk with its mitigation, then the checks
 * that ran, were skipped (with the reason) or were not selected.
 */
final class RiskMarkdown {
  /** Affected objects shown in the summary table before "and N more". */
  static final int OBJECTS_IN_SUMMARY = 5;

  private RiskMarkdown() {}

  static String render(Inventory inv, RiskReport report) {
    StringBuilder md = new StringBuilder();
    md.append("# Risks of schema ").append(code(inv.schema())).append("\n\n");
    md.append("Verdict: **")
        .append(report.verdict())
        .append("** (FAIL when any risk is critical). ")
        .append(report.risks().size())
        .append(" risks: ")
        .append(report.counts().get("critical"))
        .append(" critical, ")
        .append(report.counts().get("high"))
        .append(" high, ")
        .append(report.counts().get("medium"))
        .append(" medium, ")
        .append(report.counts().get("low"))
        .append(" low.\n\n");
    if (report.risks().isEmpty()) {
      md.append("No risk found.\n");
      checks(md, report);
      return md.toString();
    }
    md.append("| severity | likelihood | category | key | objects |\n|---|---|---|---|---|\n");
    for (Risk r : report.risks()) {
      int n = r.objects().size();
      String objects = codes(r.objects().subList(0, Math.min(n, OBJECTS_IN_SUMMARY)));
      if (n > OBJECTS_IN_SUMMARY) {
        objects += " and " + (n - OBJECTS_IN_SUMMARY) + " more";
      }
      md.append("| ")
          .append(r.severity().label())
          .append(" | ")
          .append(r.likelihood().label())
          .append(" | ")
          .append(r.category().label())
          .append(" | ")
          .append(code(r.key()))
          .append(" | ")
          .append(objects)
          .append(" |\n");
    }
    md.append("\n## Details\n");
    for (Risk r : report.risks()) {
      md.append("\n### ").append(code(r.id())).append(": ").append(cell(r.title())).append("\n\n");
      md.append("- severity ")
          .append(r.severity().label())
          .append(", likelihood ")
          .append(r.likelihood().label())
          .append(", category ")
          .append(r.category().label())
          .append('\n');
      md.append("- objects: ").append(codes(r.objects())).append('\n');
      md.append("- ").append(cell(r.detail())).append('\n');
      md.append("- mitigation: ").append(cell(r.mitigation())).append('\n');
    }
    checks(md, report);
    return md.toString();
  }

  /** Every check of the catalogue: ran (with its number of risks), skipped or not selected. */
  private static void checks(StringBuilder md, RiskReport report) {
    if (report.checks().isEmpty()) {
      return;
    }
    md.append("\n## Checks\n\n| key | category | status | risks | note |\n|---|---|---|---|---|\n");
    for (CheckRun c : report.checks()) {
      md.append("| ")
          .append(code(c.key()))
          .append(" | ")
          .append(c.category().label())
          .append(" | ")
          .append(c.status().label())
          .append(" | ")
          .append(c.risks())
          .append(" | ")
          .append(cell(c.reason()))
          .append(" |\n");
    }
  }
}
