package io.migrationstudio.core.evidence;

import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.contracts.workflow.StageStatus;
import io.migrationstudio.core.report.MarkdownTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code PULL_REQUEST.md}: the delivery of a migration when no git host is configured (and the PR
 * body when one is). Everything comes from the status and the spec, so the same status renders the
 * same bytes; JDBC URLs are redacted and passwords never appear (the spec holds references only).
 */
public final class PullRequestWriter {
  private static final int SHORT = 12;

  private PullRequestWriter() {}

  public static String render(MigrationStatus status, MigrationSpec spec) {
    StringBuilder md = new StringBuilder();
    md.append("# Migration ").append(spec.id()).append(": ").append(oneLine(spec.title()));
    md.append("\n\n");
    md.append("| | |\n|---|---|\n");
    row(md, "State", status.state() == null ? "" : status.state().name());
    row(md, "Current stage", status.stage() == null ? "" : status.stage().key());
    row(md, "Branch", code(status.branch()));
    row(md, "Source", code(MigrationException.redact(spec.source().url())));
    row(md, "Target", code(MigrationException.redact(spec.target().url())));
    if (status.message() != null && !status.message().isBlank()) {
      row(md, "Message", cell(status.message()));
    }
    md.append('\n');

    md.append("## Stages\n\n");
    md.append("| # | Stage | Gate | State | Verdict | Commit | Summary |\n");
    md.append("|---|---|---|---|---|---|---|\n");
    for (Stage stage : Stage.values()) {
      StageStatus s =
          status.stages().stream().filter(x -> x.stage() == stage).findFirst().orElse(null);
      GateMode gate = s != null && s.gate() != null ? s.gate() : spec.reviews().gate(stage);
      md.append("| ")
          .append(stage.ordinal() + 1)
          .append(" | ")
          .append(stage.key())
          .append(" | ")
          .append(gate.key())
          .append(" | ")
          .append(s == null || s.state() == null ? "pending" : cell(s.state()))
          .append(" | ")
          .append(s == null || s.verdict() == null ? "" : s.verdict().name())
          .append(" | ")
          .append(s == null || s.commit() == null ? "" : code(shortId(s.commit())))
          .append(" | ")
          .append(s == null ? "" : cell(s.summary()))
          .append(" |\n");
    }
    md.append('\n');

    md.append("## Artifacts\n\n");
    if (status.artifacts().isEmpty()) {
      md.append("None yet.\n\n");
    } else {
      List<ArtifactRef> artifacts = new ArrayList<>(status.artifacts());
      artifacts.sort(Comparator.comparing(ArtifactRef::path));
      for (ArtifactRef a : artifacts) {
        md.append("- [").append(a.path()).append("](").append(a.path()).append(')');
        if (a.commit() != null) {
          md.append(" at ").append(code(shortId(a.commit())));
        }
        md.append('\n');
      }
      md.append('\n');
    }

    md.append("## Reviews\n\n");
    if (status.reviews().isEmpty()) {
      md.append("None yet.\n\n");
    } else {
      md.append("| # | Stage | Decision | Reviewer | Commit | At (UTC) | Comment |\n");
      md.append("|---|---|---|---|---|---|---|\n");
      List<ReviewRecord> reviews = new ArrayList<>(status.reviews());
      reviews.sort(Comparator.comparingInt(ReviewRecord::sequence));
      for (ReviewRecord r : reviews) {
        String comment = cell(r.comment());
        if (!r.accepted()) {
          comment = "refused: " + cell(r.note()) + (comment.isEmpty() ? "" : " (" + comment + ")");
        }
        md.append("| ")
            .append(r.sequence())
            .append(" | ")
            .append(r.stage() == null ? "" : r.stage().key())
            .append(" | ")
            .append(r.decision() == null ? "" : r.decision().name())
            .append(" | ")
            .append(cell(r.reviewer()))
            .append(" | ")
            .append(r.commit() == null ? "" : code(shortId(r.commit())))
            .append(" | ")
            .append(Instant.ofEpochMilli(r.atMillis()))
            .append(" | ")
            .append(comment)
            .append(" |\n");
      }
      md.append('\n');
    }

    md.append("## How to approve\n\n");
    howToApprove(md, status, spec);
    return md.toString();
  }

  private static void howToApprove(StringBuilder md, MigrationStatus status, MigrationSpec spec) {
    if (status.state() != MigrationState.AWAITING_REVIEW || status.stage() == null) {
      md.append("No review is pending.\n");
      return;
    }
    Stage stage = status.stage();
    GateMode gate = spec.reviews().gate(stage);
    Set<String> reviewers = new LinkedHashSet<>(spec.approvers().forStage(stage));
    if (gate != GateMode.EXTERNAL) {
      reviewers.addAll(spec.approvers().defaults());
    }
    String commit = status.reviewCommit() == null ? "<commit>" : status.reviewCommit();
    md.append("The ")
        .append(stage.key())
        .append(" stage awaits a review of commit ")
        .append(code(commit))
        .append(" (gate: ")
        .append(gate.key())
        .append(").\n");
    md.append("Reviewers: ")
        .append(reviewers.isEmpty() ? "none listed" : String.join(", ", reviewers))
        .append(".\n\n");
    if (gate == GateMode.EXTERNAL) {
      md.append(
              "This gate is external: approve this pull request on the git host, or a reviewer listed"
                  + " under approvers.")
          .append(stage.key())
          .append(" sends the review below. There is no local bypass.\n\n");
    }
    md.append("Read the stage's artifacts at that commit, then one of:\n\n```\n");
    for (String flag : List.of("--approve", "--request-changes", "--reject")) {
      md.append("studio review ")
          .append(spec.id())
          .append(" --stage ")
          .append(stage.key())
          .append(' ')
          .append(flag)
          .append('\n');
    }
    md.append("```\n\nFrom Temporal UI, signal `reviewSignal` on workflow `migration-")
        .append(spec.id())
        .append("` with:\n\n```json\n{\"stage\": \"")
        .append(stage.name())
        .append("\", \"decision\": \"APPROVE\", \"reviewer\": \"<you>\", \"commit\": \"")
        .append(commit)
        .append("\", \"comment\": \"\"}\n```\n");
  }

  private static void row(StringBuilder md, String key, String value) {
    md.append("| ").append(key).append(" | ").append(value).append(" |\n");
  }

  private static String shortId(String commit) {
    return commit.length() > SHORT ? commit.substring(0, SHORT) : commit;
  }

  private static String code(String s) {
    return s == null || s.isEmpty() ? "" : MarkdownTable.code(s);
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").strip();
  }

  /** Text safe inside a markdown table cell (one line, pipes escaped, redacted). */
  private static String cell(String s) {
    return s == null ? "" : MarkdownTable.cell(MigrationException.redact(oneLine(s)));
  }
}
