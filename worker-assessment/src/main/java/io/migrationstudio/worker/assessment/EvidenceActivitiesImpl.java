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
import io.migrationstudio.contracts.activity.ReviewCheck;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.SummaryRequest;
import io.migrationstudio.contracts.activity.VerifyReviewRequest;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.core.copy.MigrateService;
import io.migrationstudio.core.evidence.EvidenceService;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.identity.ReviewVerifier;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecLoader;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.common.converter.EncodingKeys;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Evidence activities: a thin adapter over {@link EvidenceService}. */
public final class EvidenceActivitiesImpl implements EvidenceActivities {
  private static final Logger log = LoggerFactory.getLogger(EvidenceActivitiesImpl.class);

  private final EvidenceService evidence;
  private final ReviewVerifier verifier = new ReviewVerifier();

  /** Releases the target lock of an ended migration; null: not released here (tests). */
  private final MigrateService locks;

  public EvidenceActivitiesImpl(ArtifactStore store) {
    this(new EvidenceService(store), null);
  }

  public EvidenceActivitiesImpl(ArtifactStore store, SecretResolver secrets) {
    this(new EvidenceService(store), new MigrateService(secrets));
  }

  public EvidenceActivitiesImpl(EvidenceService evidence) {
    this(evidence, null);
  }

  private EvidenceActivitiesImpl(EvidenceService evidence, MigrateService locks) {
    this.evidence = evidence;
    this.locks = locks;
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
    return run(() -> evidence.recordReview(request.branch(), request.review(), request.signed()));
  }

  @Override
  public ReviewCheck verifyReview(VerifyReviewRequest request) {
    return run(
        () -> {
          ReviewCheck check =
              verifier.check(request.migrationId(), request.spec(), request.review());
          log.info(
              "review of {} by {} for {}: {}",
              request.review().stage(),
              request.review().reviewer(),
              request.migrationId(),
              check.accepted() ? check.message() : "refused, " + check.problem());
          return check;
        });
  }

  /**
   * Writes {@code PULL_REQUEST.md}; the summary of a migration that ended (completed, failed,
   * rejected: every end writes one) first releases the target's migration lock, so the next
   * migration of that target may start. A release that fails is logged, never fails the summary:
   * {@code studio unlock} releases the lock of a holder that is gone.
   */
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
    return run(
        () -> {
          if (ended(request)) {
            releaseLock(request);
          }
          return evidence.writePullRequest(request.branch(), request.spec(), request.status());
        });
  }

  private static boolean ended(SummaryRequest request) {
    MigrationStatus s = request.status();
    return s != null
        && request.spec() != null
        && MigrationStatus.KIND_MIGRATION.equals(s.kind())
        && s.state() != null
        && s.state() != MigrationState.RUNNING
        && s.state() != MigrationState.AWAITING_REVIEW;
  }

  private void releaseLock(SummaryRequest request) {
    if (locks == null) {
      return;
    }
    try {
      if (locks.releaseLock(request.spec(), request.migrationId())) {
        log.info("migration {} ended: its target lock is released", request.migrationId());
      }
    } catch (RuntimeException e) {
      log.warn(
          "migration {} ended but its target lock could not be released ({}); release it with"
              + " `studio unlock SPEC --holder {}`",
          request.migrationId(),
          e.getMessage(),
          request.migrationId());
    }
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
