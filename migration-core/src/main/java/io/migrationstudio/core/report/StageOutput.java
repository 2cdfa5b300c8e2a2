package io.migrationstudio.core.report;

import io.migrationstudio.contracts.workflow.Verdict;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a stage service produced, before it is committed: files (branch path → bytes, sorted), the
 * checker's verdict (null for producers) and a one-line summary. Services build these; the activity
 * adapters in the workers commit them with the role as author.
 */
public record StageOutput(Map<String, byte[]> files, Verdict verdict, String summary) {
  public StageOutput {
    files = java.util.Collections.unmodifiableMap(new TreeMap<>(files));
    summary = summary == null ? "" : summary;
  }
}
