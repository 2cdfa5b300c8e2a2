package io.migrationstudio.worker.assessment;

import static io.migrationstudio.contracts.activity.ActivityFailures.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.migrationstudio.contracts.activity.CommitResult;
import io.migrationstudio.contracts.activity.EvidenceActivities;
import io.migrationstudio.contracts.activity.OpenRequest;
import io.migrationstudio.contracts.activity.OpenResult;
import io.migrationstudio.contracts.activity.RecordCancelRequest;
import io.migrationstudio.contracts.activity.RecordGateRequest;
import io.migrationstudio.contracts.activity.RecordReviewRequest;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.SummaryRequest;
import io.migrationstudio.core.evidence.EvidenceService;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.spec.SpecLoader;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.common.converter.EncodingKeys;
import java.io.IOException;

/** Evidence activities: a thin adapter over {@link EvidenceService}. */
public final class EvidenceActivitiesImpl implements EvidenceActivities {
  private final EvidenceService evidence;

  public EvidenceActivitiesImpl(ArtifactStore store) {
    this(new EvidenceService(store));
  }

  public EvidenceActivitiesImpl(EvidenceService evidence) {
    this.evidence = evidence;
  }

  @Override
  public OpenResult openMigration(OpenRequest request) {
    return run(
        () -> {
          checkRawInput(request);
          return evidence.openMigration(request.migrationId(), request.spec(), request.specText());
        });
  }

  @Override
  public OpenResult openValidation(OpenRequest request) {
    return run(
        () -> {
          checkRawInput(request);
          return evidence.openValidation(request.migrationId(), request.spec(), request.specText());
        });
  }

  /**
   * A workflow started without spec text (Temporal UI or any client sending the spec as JSON) is
   * checked here, at the first activity, exactly as the CLI's spec loader checks a file: the
   * records ignore unknown JSON fields (so that old workers tolerate new ones), which would
   * silently accept {@code paralelism: 64}. The raw input is read back from the workflow's start
   * event, and its {@code spec} refused (INVALID_SPEC, non-retryable, every problem listed) before
   * anything is committed. Starts through the studio carry the text, already checked. An input that
   * is not plain JSON (a payload codec) is left to the records.
   */
  private static void checkRawInput(OpenRequest request) {
    if (request.specText() != null) {
      return;
    }
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    Payloads input =
        ctx.getWorkflowClient()
            .fetchHistory(ctx.getInfo().getWorkflowId(), ctx.getInfo().getRunId())
            .getHistory()
            .getEvents(0)
            .getWorkflowExecutionStartedEventAttributes()
            .getInput();
    if (input.getPayloadsCount() == 0) {
      return;
    }
    Payload payload = input.getPayloads(0);
    ByteString encoding = payload.getMetadataMap().get(EncodingKeys.METADATA_ENCODING_KEY);
    if (encoding == null || !encoding.toStringUtf8().equals("json/plain")) {
      return;
    }
    JsonNode spec;
    try {
      spec = Json.mapper().readTree(payload.getData().toByteArray()).get("spec");
    } catch (IOException e) {
      return; // the data converter read it; the records decide
    }
    if (spec != null && spec.isObject()) {
      SpecLoader.parse(spec.toString());
    }
  }

  @Override
  public CommitResult recordReview(RecordReviewRequest request) {
    return run(() -> evidence.recordReview(request.branch(), request.review()));
  }

  @Override
  public CommitResult recordGate(RecordGateRequest request) {
    return run(() -> evidence.recordGate(request.branch(), request.gate()));
  }

  @Override
  public CommitResult recordCancel(RecordCancelRequest request) {
    return run(() -> evidence.recordCancel(request.branch(), request.stage(), request.cancel()));
  }

  @Override
  public CommitResult writePullRequest(SummaryRequest request) {
    return run(() -> evidence.writePullRequest(request.branch(), request.spec(), request.status()));
  }

  /**
   * {@code request.commit()} is the candidate; it must be on {@code request.branch()} and descend
   * from the branch's spec commit (the newest commit that wrote {@code migration.yaml}), since the
   * request carries no other base.
   */
  @Override
  public String verifyCommit(StageRequest request) {
    return run(
        () ->
            evidence.verifyCommit(
                request.branch(),
                evidence.specCommit(request.branch()).orElse(null),
                request.commit()));
  }
}
