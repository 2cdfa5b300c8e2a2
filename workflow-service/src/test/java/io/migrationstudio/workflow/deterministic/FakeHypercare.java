package io.migrationstudio.workflow.deterministic;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.HypercareActivities;
import io.migrationstudio.contracts.activity.HypercareNote;
import io.migrationstudio.contracts.activity.HypercareRequest;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import io.migrationstudio.contracts.workflow.Verdict;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The hypercare activities without databases: every sample, plan and decommission is recorded
 * ({@link #samples}, {@link #calls}); the real ones run in {@link HypercareWorkflowIT}.
 */
final class FakeHypercare implements HypercareActivities {
  final List<HypercareRequest> samples = new CopyOnWriteArrayList<>();
  final List<String> calls = new CopyOnWriteArrayList<>();
  private final FakeActivities commits;

  FakeHypercare(FakeActivities commits) {
    this.commits = commits;
  }

  @Override
  public HypercareNote sample(HypercareRequest request) {
    samples.add(request);
    calls.add("hypercare-sample");
    String commit = commits.newCommit();
    return new HypercareNote(
        commit,
        List.of(new ArtifactRef("06-hypercare/hypercare.json", commit)),
        List.of(),
        true,
        request.sampledAtMillis(),
        "nobody else connects to the source");
  }

  @Override
  public StageResult planDecommission(StageRequest request) {
    calls.add("plan-decommission");
    return result("07-decommission/plan.md", null);
  }

  @Override
  public StageResult decommission(StageRequest request) {
    calls.add("decommission");
    return result("07-decommission/final-report.md", Verdict.PASS);
  }

  private StageResult result(String path, Verdict verdict) {
    String commit = commits.newCommit();
    return new StageResult(
        Stage.DECOMMISSION,
        "cutover-coordinator",
        commit,
        List.of(new ArtifactRef(path, commit)),
        verdict == null ? Verdict.PASS : verdict,
        path);
  }
}
