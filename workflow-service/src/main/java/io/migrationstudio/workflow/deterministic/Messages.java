package io.migrationstudio.workflow.deterministic;

import io.temporal.failure.ApplicationFailure;

/** The two text helpers every workflow message uses: a failure's root reason, a short commit. */
final class Messages {
  private Messages() {}

  /** The root cause of {@code e}: an application failure as {@code TYPE: message}. */
  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ApplicationFailure af) {
      return af.getType() + ": " + af.getOriginalMessage();
    }
    return t.getMessage();
  }

  /** The first 12 characters of a commit id, {@code ?} for none. */
  static String shortId(String commit) {
    return commit == null ? "?" : commit.substring(0, Math.min(12, commit.length()));
  }
}
