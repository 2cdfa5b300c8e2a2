package io.migrationstudio.workflow;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.workflow.ControlRequest;
import io.migrationstudio.contracts.workflow.Decision;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.Review;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.spec.AutoApproval;
import io.migrationstudio.proto.v1.ArtifactEntry;
import io.migrationstudio.proto.v1.GetRequest;
import io.migrationstudio.proto.v1.ListArtifactsRequest;
import io.migrationstudio.proto.v1.ListArtifactsResponse;
import io.migrationstudio.proto.v1.ListRequest;
import io.migrationstudio.proto.v1.ListResponse;
import io.migrationstudio.proto.v1.MigrationServiceGrpc;
import io.migrationstudio.proto.v1.MigrationStatusReply;
import io.migrationstudio.proto.v1.ReadArtifactRequest;
import io.migrationstudio.proto.v1.ReadArtifactResponse;
import io.migrationstudio.proto.v1.ReviewRequest;
import io.migrationstudio.proto.v1.StartRequest;
import io.migrationstudio.proto.v1.StartResponse;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * {@code studio.v1.MigrationService}: translates and delegates to {@link OperatorService}. Calls
 * run on a bounded blocking executor (they query Temporal and read git), never on the transport
 * threads.
 */
public final class MigrationServiceEndpoint extends MigrationServiceGrpc.MigrationServiceImplBase {
  private final OperatorService operator;
  private final ExecutorService blocking;

  public MigrationServiceEndpoint(OperatorService operator, ExecutorService blocking) {
    this.operator = operator;
    this.blocking = blocking;
  }

  @Override
  public void start(StartRequest req, StreamObserver<StartResponse> out) {
    call(
        out,
        () -> {
          OperatorService.Started s =
              operator.start(
                  req.getSpecText(),
                  AutoApproval.parse(req.getAutoApproveList()),
                  req.getStartToken());
          return StartResponse.newBuilder()
              .setMigrationId(s.migrationId())
              .setWorkflowId(s.workflowId())
              .setBranch(s.branch())
              .build();
        });
  }

  /** A validation-only run; the response names its workflow id and the validation branch. */
  @Override
  public void validate(StartRequest req, StreamObserver<StartResponse> out) {
    call(
        out,
        () -> {
          OperatorService.Started s = operator.startValidation(req.getSpecText());
          return StartResponse.newBuilder()
              .setMigrationId(s.migrationId())
              .setWorkflowId(s.workflowId())
              .setBranch(s.branch())
              .build();
        });
  }

  @Override
  public void get(GetRequest req, StreamObserver<MigrationStatusReply> out) {
    call(out, () -> reply(operator.status(req.getMigrationId())));
  }

  @Override
  public void list(ListRequest req, StreamObserver<ListResponse> out) {
    call(
        out,
        () -> {
          ListResponse.Builder b = ListResponse.newBuilder();
          operator.list(req.getStage(), req.getState()).forEach(s -> b.addMigrations(reply(s)));
          return b.build();
        });
  }

  @Override
  public void review(ReviewRequest req, StreamObserver<MigrationStatusReply> out) {
    call(
        out,
        () -> {
          Stage stage = Stage.fromKey(req.getStage());
          Decision decision =
              Decision.valueOf(req.getDecision().trim().toUpperCase(Locale.ROOT).replace('-', '_'));
          operator.review(
              req.getMigrationId(),
              new Review(
                  stage,
                  decision,
                  req.getReviewer(),
                  req.getComment(),
                  req.getCommit(),
                  req.getSignature()));
          return reply(operator.status(req.getMigrationId()));
        });
  }

  @Override
  public void control(
      io.migrationstudio.proto.v1.ControlRequest req, StreamObserver<MigrationStatusReply> out) {
    call(
        out,
        () -> {
          operator.control(
              req.getMigrationId(),
              new ControlRequest(
                  OperatorService.controlAction(req.getAction()),
                  req.getBy(),
                  req.getReason(),
                  req.getRowsPerSecond()));
          return reply(operator.status(req.getMigrationId()));
        });
  }

  @Override
  public void listArtifacts(ListArtifactsRequest req, StreamObserver<ListArtifactsResponse> out) {
    call(
        out,
        () -> {
          OperatorService.Listing l = operator.artifacts(req.getMigrationId());
          ListArtifactsResponse.Builder b =
              ListArtifactsResponse.newBuilder().setBranch(l.branch()).setHead(l.head());
          l.paths()
              .forEach(
                  p -> b.addArtifacts(ArtifactEntry.newBuilder().setPath(p).setCommit(l.head())));
          return b.build();
        });
  }

  @Override
  public void readArtifact(ReadArtifactRequest req, StreamObserver<ReadArtifactResponse> out) {
    call(
        out,
        () ->
            ReadArtifactResponse.newBuilder()
                .setPath(req.getPath())
                .setCommit(req.getCommit())
                .setContent(
                    ByteString.copyFrom(
                        operator.read(req.getMigrationId(), req.getPath(), req.getCommit())))
                .build());
  }

  static MigrationStatusReply reply(MigrationStatus s) {
    return MigrationStatusReply.newBuilder()
        .setMigrationId(s.migrationId() == null ? "" : s.migrationId())
        .setStage(s.stage() == null ? "" : s.stage().key())
        .setState(s.state().name())
        .setStatusJson(Json.writeCompact(s))
        .setKind(s.kind())
        .setWorkflowId(s.workflowId() == null ? "" : s.workflowId())
        .build();
  }

  private <T> void call(StreamObserver<T> out, Supplier<T> body) {
    blocking.execute(
        () -> {
          try {
            out.onNext(body.get());
            out.onCompleted();
          } catch (MigrationException e) {
            out.onError(status(e).withDescription(e.getMessage()).asRuntimeException());
          } catch (IllegalArgumentException e) {
            out.onError(
                Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
          } catch (RuntimeException e) {
            out.onError(
                Status.INTERNAL
                    .withDescription(MigrationException.redact(String.valueOf(e.getMessage())))
                    .asRuntimeException());
          }
        });
  }

  private static Status status(MigrationException e) {
    return switch (e.code()) {
      case INVALID_SPEC, INVALID_COMMIT, INVALID_ARTIFACT -> Status.INVALID_ARGUMENT;
      case MISSING_OBJECT -> Status.NOT_FOUND;
      case AUTHENTICATION_FAILED -> Status.PERMISSION_DENIED;
      case DATABASE_UNREACHABLE, TRANSIENT_SQL, GIT_FAILURE -> Status.UNAVAILABLE;
      default -> Status.INTERNAL;
    };
  }
}
