package io.migrationstudio.worker.assessment;

import io.migrationstudio.core.git.ArtifactStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Test double of the git store (there is no JGit store on this branch): commits are numbered
 * snapshots of the branch's files; identical content makes no commit, as in git.
 */
final class InMemoryArtifactStore implements ArtifactStore {
  private final Map<String, Map<String, byte[]>> commits = new LinkedHashMap<>();
  private final Map<String, String> heads = new HashMap<>();
  private final List<CommitInfo> log = new ArrayList<>();

  @Override
  public synchronized String openBranch(String branch) {
    return heads.computeIfAbsent(
        branch,
        b -> {
          String id = "c" + commits.size();
          commits.put(id, new TreeMap<>());
          return id;
        });
  }

  @Override
  public synchronized CommitOutcome commit(
      String branch, String role, String message, Map<String, byte[]> files) {
    String head = openBranch(branch);
    Map<String, byte[]> next = new TreeMap<>(commits.get(head));
    boolean changed = false;
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      byte[] old = next.put(e.getKey(), e.getValue());
      changed |= old == null || !Arrays.equals(old, e.getValue());
    }
    if (!changed) {
      return new CommitOutcome(head, false, List.of());
    }
    String id = "c" + commits.size();
    commits.put(id, next);
    heads.put(branch, id);
    log.add(0, new CommitInfo(id, role, message, 0, List.copyOf(files.keySet())));
    return new CommitOutcome(id, true, List.copyOf(files.keySet()));
  }

  @Override
  public synchronized Optional<String> head(String branch) {
    return Optional.ofNullable(heads.get(branch));
  }

  @Override
  public synchronized Optional<byte[]> read(String commitOrBranch, String path) {
    String id = heads.getOrDefault(commitOrBranch, commitOrBranch);
    return Optional.ofNullable(commits.getOrDefault(id, Map.of()).get(path));
  }

  @Override
  public synchronized List<String> list(String commitOrBranch, String directory) {
    String id = heads.getOrDefault(commitOrBranch, commitOrBranch);
    return commits.getOrDefault(id, Map.of()).keySet().stream()
        .filter(p -> p.startsWith(directory))
        .toList();
  }

  @Override
  public boolean isOnBranch(String branch, String commit) {
    return commits.containsKey(commit);
  }

  @Override
  public boolean isAncestor(String ancestor, String descendant) {
    return Integer.parseInt(ancestor.substring(1)) <= Integer.parseInt(descendant.substring(1));
  }

  @Override
  public synchronized List<CommitInfo> log(String branch) {
    return List.copyOf(log);
  }
}
