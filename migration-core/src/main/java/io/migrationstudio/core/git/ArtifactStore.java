package io.migrationstudio.core.git;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Evidence in git. One repository of migrations, one branch per migration ({@code
 * migrations/<id>}), every write a commit authored by the role that produced it and pushed to the
 * remote. Writing content identical to what the branch already holds makes no commit.
 * Implementations are safe for concurrent use by the activities of one worker process.
 */
public interface ArtifactStore {

  /** Creates the branch from the repository's initial commit when missing; returns its head. */
  String openBranch(String branch);

  /**
   * Writes {@code files} (path relative to the repository root → content) on the branch as one
   * commit by {@code role}, then pushes. No commit when nothing changed.
   */
  CommitOutcome commit(String branch, String role, String message, Map<String, byte[]> files);

  /** The branch head, or empty when the branch does not exist. */
  Optional<String> head(String branch);

  /** A file at a commit (or branch name), or empty when absent. */
  Optional<byte[]> read(String commitOrBranch, String path);

  /** The paths under {@code directory} ("" for all) at a commit (or branch), sorted. */
  List<String> list(String commitOrBranch, String directory);

  /** Whether {@code commit} is reachable from the head of {@code branch}. */
  boolean isOnBranch(String branch, String commit);

  /** Whether {@code ancestor} is an ancestor of (or equal to) {@code descendant}. */
  boolean isAncestor(String ancestor, String descendant);

  /** The commits of the branch, newest first. */
  List<CommitInfo> log(String branch);

  /** The branches of the remote whose names start with {@code prefix}, sorted. */
  List<String> branches(String prefix);

  /** A commit made (or not) by {@link #commit}. */
  record CommitOutcome(String head, boolean changed, List<String> paths) {
    public CommitOutcome {
      paths = List.copyOf(paths);
    }
  }

  /** One commit of a branch. */
  record CommitInfo(String id, String author, String message, long timeMillis, List<String> paths) {
    public CommitInfo {
      paths = List.copyOf(paths);
    }
  }
}
