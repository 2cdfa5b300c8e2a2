package io.migrationstudio.worker.migrate;

import io.migrationstudio.core.git.ArtifactStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A test double of the git store: commits are snapshots of path → bytes, ids are counters. */
final class InMemoryArtifactStore implements ArtifactStore {
  private final Map<String, Map<String, byte[]>> commits = new HashMap<>();
  private final Map<String, String> heads = new HashMap<>();
  private final List<CommitInfo> log = new ArrayList<>();

  @Override
  public synchronized String openBranch(String branch) {
    return heads.computeIfAbsent(
        branch,
        b -> {
          commits.put("c0", new TreeMap<>());
          return "c0";
        });
  }

  @Override
  public synchronized CommitOutcome commit(
      String branch, String role, String message, Map<String, byte[]> files) {
    String head = openBranch(branch);
    Map<String, byte[]> tree = new TreeMap<>(commits.get(head));
    List<String> changed = new ArrayList<>();
    files.forEach(
        (p, b) -> {
          if (!tree.containsKey(p) || !Arrays.equals(tree.get(p), b)) {
            changed.add(p);
            tree.put(p, b.clone());
          }
        });
    if (changed.isEmpty()) {
      return new CommitOutcome(head, false, List.of());
    }
    String id = "c" + commits.size();
    commits.put(id, tree);
    heads.put(branch, id);
    log.add(0, new CommitInfo(id, role, message, 0L, changed));
    return new CommitOutcome(id, true, changed);
  }

  @Override
  public synchronized Optional<String> head(String branch) {
    return Optional.ofNullable(heads.get(branch));
  }

  @Override
  public synchronized Optional<byte[]> read(String commitOrBranch, String path) {
    String id = heads.getOrDefault(commitOrBranch, commitOrBranch);
    Map<String, byte[]> tree = commits.get(id);
    return tree == null ? Optional.empty() : Optional.ofNullable(tree.get(path));
  }

  String text(String commitOrBranch, String path) {
    return new String(read(commitOrBranch, path).orElseThrow(), StandardCharsets.UTF_8);
  }

  List<CommitInfo> commitLog() {
    return List.copyOf(log);
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
    return true;
  }

  @Override
  public synchronized List<CommitInfo> log(String branch) {
    return commitLog();
  }
}
