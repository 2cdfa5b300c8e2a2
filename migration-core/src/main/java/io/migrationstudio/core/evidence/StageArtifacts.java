package io.migrationstudio.core.evidence;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.StageOutput;
import java.util.List;

/**
 * What every stage activity does around its service: read an artifact at the commit it was given,
 * and commit what the service produced as the stage's role, answering with references (paths at the
 * new head), never payloads.
 */
public final class StageArtifacts {
  /** Mappings kept per commit: a commit's content never changes, and every chunk reads one. */
  static final int MAPPINGS_KEPT = 8;

  private static final java.util.regex.Pattern COMMIT_ID =
      java.util.regex.Pattern.compile("[0-9a-f]{40}");

  private final ArtifactStore store;

  /** The last {@link #MAPPINGS_KEPT} mappings read by commit id, least recently used first. */
  private final java.util.Map<String, MappingDocument> mappings =
      new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, MappingDocument> eldest) {
          return size() > MAPPINGS_KEPT;
        }
      };

  public StageArtifacts(ArtifactStore store) {
    this.store = store;
  }

  /** Commits a service's files on the branch as {@code role}; no commit when nothing changed. */
  public StageResult commit(
      Stage stage, String role, String branch, String title, StageOutput out) {
    ArtifactStore.CommitOutcome outcome =
        store.commit(branch, role, title + ": " + out.summary(), out.files());
    List<ArtifactRef> refs =
        out.files().keySet().stream().map(p -> new ArtifactRef(p, outcome.head())).toList();
    return new StageResult(stage, role, outcome.head(), refs, out.verdict(), out.summary());
  }

  /**
   * An artifact at {@code commit} (the branch head when blank); a missing one is an
   * INVALID_ARTIFACT that says which stage must produce it.
   */
  public byte[] require(String branch, String commit, String path, String producedBy) {
    String at = commit == null || commit.isBlank() ? branch : commit;
    return store
        .read(at, path)
        .orElseThrow(
            () ->
                new MigrationException(
                    ErrorCode.INVALID_ARTIFACT,
                    path + " is missing at " + at + "; " + producedBy + " must be approved first"));
  }

  /**
   * The approved mapping at {@code commit}, read as the compatibility review reads it; read from
   * git once per commit id (each chunk of a migration asks for the same one), then kept.
   */
  public MappingDocument mapping(String branch, String commit) {
    String at = commit == null || commit.isBlank() ? branch : commit;
    boolean pinned = commit != null && COMMIT_ID.matcher(commit).matches();
    if (pinned) {
      synchronized (mappings) {
        MappingDocument known = mappings.get(commit);
        if (known != null) {
          return known;
        }
      }
    }
    byte[] yaml = require(branch, commit, ArtifactPaths.MAPPING_YAML, "the Mapping stage");
    MappingDocument read = MappingLoader.read(yaml, ArtifactPaths.MAPPING_YAML + " at " + at);
    if (pinned) {
      synchronized (mappings) {
        mappings.put(commit, read);
      }
    }
    return read;
  }
}
