package io.migrationstudio.workflow;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.migrationstudio.proto.v1.MigrationServiceGrpc;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * The operator API's token check: a call that changes something (every method of {@code
 * studio.v1.MigrationService} except the reads {@link #READS}) must carry {@code authorization:
 * Bearer <token>}; otherwise it is refused with UNAUTHENTICATED before it reaches the service. A
 * method added later is a mutating one until it is listed here.
 */
final class ApiTokenCheck implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** Read-only methods: they need no token. */
  static final Set<String> READS =
      Set.of(
          MigrationServiceGrpc.getGetMethod().getFullMethodName(),
          MigrationServiceGrpc.getListMethod().getFullMethodName(),
          MigrationServiceGrpc.getListArtifactsMethod().getFullMethodName(),
          MigrationServiceGrpc.getReadArtifactMethod().getFullMethodName());

  private final byte[] expected;

  ApiTokenCheck(String token) {
    this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (READS.contains(method)) {
      return next.startCall(call, headers);
    }
    String given = headers.get(AUTHORIZATION);
    if (given == null) {
      return refuse(
          call,
          method
              + " changes state and needs the operator API token: pass --api-token-file FILE"
              + " (or set STUDIO_API_TOKEN)");
    }
    // constant time: the comparison does not tell how much of the token was right
    if (!MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
      return refuse(
          call, "the operator API token is wrong (" + method + "); use the server's token file");
    }
    return next.startCall(call, headers);
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String message) {
    call.close(Status.UNAUTHENTICATED.withDescription(message), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
