package io.migrationstudio.workflow.deterministic;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import io.migrationstudio.contracts.workflow.StageStatus;
import io.migrationstudio.contracts.workflow.Verdict;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the status query shows of the stages and the evidence: each stage's phase, gate, verdict,
 * commit and summary, and the newest commit of every artifact path. Shared by the migration and the
 * validation-only workflow. Plain state, no commands: changing it never affects replay.
 */
final class StageBoard {
  private final Map<Stage, StageStatus> stages = new EnumMap<>(Stage.class);
  private final Map<String, ArtifactRef> artifacts = new LinkedHashMap<>();

  /** No stage at all: what a workflow shows before its run has begun. */
  StageBoard() {}

  /** Every stage pending behind its {@code gate}: a migration's board when its run begins. */
  static StageBoard pending(Function<Stage, GateMode> gate) {
    return new StageBoard(s -> StagePhase.PENDING, gate, s -> null);
  }

  /** Every stage in its {@code phase}, with its {@code gate} and {@code summary} (may be null). */
  StageBoard(
      Function<Stage, StagePhase> phase,
      Function<Stage, GateMode> gate,
      Function<Stage, String> summary) {
    for (Stage s : Stage.values()) {
      stages.put(
          s, new StageStatus(s, phase.apply(s).key(), gate.apply(s), null, null, summary.apply(s)));
    }
  }

  /**
   * Moves {@code s} to {@code phase}; a null verdict or commit keeps the one shown before. A null
   * stage (a failure before any stage began) changes nothing.
   */
  void set(Stage s, StagePhase phase, Verdict verdict, String commit, String summary) {
    if (s == null) {
      return;
    }
    StageStatus old = stages.get(s);
    stages.put(
        s,
        new StageStatus(
            s,
            phase.key(),
            old.gate(),
            verdict != null ? verdict : old.verdict(),
            commit != null ? commit : old.commit(),
            summary));
  }

  /** Replaces the verdict, commit and summary of {@code s}, keeping its phase. */
  void resummarize(Stage s, Verdict verdict, String commit, String summary) {
    StageStatus old = stages.get(s);
    stages.put(s, new StageStatus(s, old.state(), old.gate(), verdict, commit, summary));
  }

  /** The artifacts a stage result committed. */
  void record(StageResult result) {
    result.artifacts().forEach(this::put);
  }

  void put(ArtifactRef artifact) {
    artifacts.put(artifact.path(), artifact);
  }

  StageStatus get(Stage s) {
    return stages.get(s);
  }

  List<StageStatus> stages() {
    return new ArrayList<>(stages.values());
  }

  List<ArtifactRef> artifacts() {
    return new ArrayList<>(artifacts.values());
  }
}
