package io.migrationstudio.workflow;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A client connection to a Temporal frontend ({@code host:port}). */
public final class TemporalConnection implements AutoCloseable {
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient client;
  private final String target;
  private final TemporalAccess access;

  private TemporalConnection(String target, String namespace, TemporalAccess access) {
    this.target = target;
    this.access = access;
    WorkflowServiceStubsOptions.Builder options =
        WorkflowServiceStubsOptions.newBuilder()
            .setTarget(target)
            .setRpcTimeout(Duration.ofSeconds(10));
    access.applyTo(options);
    this.stubs = WorkflowServiceStubs.newServiceStubs(options.build());
    this.client =
        WorkflowClient.newInstance(
            stubs, WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
  }

  /** Temporal's own default namespace (the only one of the embedded server). */
  public static final String DEFAULT_NAMESPACE = "default";

  public static TemporalConnection connect(String target) {
    return connect(target, DEFAULT_NAMESPACE);
  }

  /** A client of {@code namespace} (blank: {@value #DEFAULT_NAMESPACE}) at {@code target}. */
  public static TemporalConnection connect(String target, String namespace) {
    return connect(target, namespace, TemporalAccess.PLAINTEXT);
  }

  /**
   * A client of {@code namespace} at {@code target} with TLS, a client certificate or an API key as
   * {@code access} says.
   *
   * @throws IllegalArgumentException when a certificate, key or CA file cannot be read
   */
  public static TemporalConnection connect(String target, String namespace, TemporalAccess access) {
    return new TemporalConnection(
        target,
        namespace == null || namespace.isBlank() ? DEFAULT_NAMESPACE : namespace.strip(),
        access == null ? TemporalAccess.PLAINTEXT : access);
  }

  /** First wait between two attempts of {@link #awaitReady}; doubles up to {@link #MAX_BACKOFF}. */
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);

  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /** How long one readiness probe may take (a loaded frontend answers slowly). */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Waits until the frontend answers, probing with {@code GetSystemInfo} and waiting 1 s, 2 s, 4 s
   * ... (at most 30 s) between attempts, for up to {@code maxWait}. Each failed attempt is told to
   * {@code progress}: why (the gRPC status, e.g. UNAVAILABLE while nothing listens,
   * DEADLINE_EXCEEDED while the server is too slow) and when it tries again. Any answer, even
   * UNIMPLEMENTED from an old server, means the frontend is up.
   *
   * @throws IllegalStateException when it did not answer within {@code maxWait}, with the last
   *     cause
   * @throws IllegalArgumentException at once when it refused this client's TLS or credentials (see
   *     {@link #refusal})
   */
  public void awaitReady(Duration maxWait, Consumer<String> progress) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    Duration backoff = FIRST_BACKOFF;
    int closedPlaintext = 0;
    for (int attempt = 1; ; attempt++) {
      String why;
      try {
        stubs
            .blockingStub()
            .withDeadlineAfter(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
        return;
      } catch (StatusRuntimeException e) {
        java.util.Optional<String> refused = refusal(e);
        if (refused.isPresent()) {
          throw new IllegalArgumentException(refused.get(), e);
        }
        closedPlaintext = closedPlaintext(e) ? closedPlaintext + 1 : 0;
        if (closedPlaintext >= CLOSED_PLAINTEXT_LIMIT) {
          throw new IllegalArgumentException(
              "Temporal at "
                  + target
                  + " closed the plaintext connection "
                  + closedPlaintext
                  + " times in a row ("
                  + e.getStatus().getDescription()
                  + "); a frontend that wants TLS does that: add --temporal-tls (and"
                  + " --temporal-ca, --temporal-cert, --temporal-key for mTLS)",
              e);
        }
        Status.Code code = e.getStatus().getCode();
        if (code != Status.Code.UNAVAILABLE
            && code != Status.Code.DEADLINE_EXCEEDED
            && code != Status.Code.RESOURCE_EXHAUSTED
            && code != Status.Code.ABORTED) {
          return; // the frontend answered
        }
        why =
            code
                + (e.getStatus().getDescription() == null
                    ? ""
                    : ": " + e.getStatus().getDescription());
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException(
            "Temporal at "
                + target
                + " did not answer within "
                + maxWait
                + " ("
                + attempt
                + " attempts, last: "
                + why
                + "); check that it runs and that --temporal names its frontend");
      }
      Duration wait = backoff.toNanos() < left ? backoff : Duration.ofNanos(left);
      progress.accept(
          "Temporal at "
              + target
              + " is not ready (attempt "
              + attempt
              + ": "
              + why
              + "); trying again in "
              + Math.max(1, wait.toMillis() / 1000)
              + " s");
      Thread.sleep(wait.toMillis());
      Duration doubled = backoff.multipliedBy(2);
      backoff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
      // reconnect now, not after gRPC's own (longer) reconnect backoff
      stubs.getRawChannel().resetConnectBackoff();
    }
  }

  /**
   * Why Temporal refused this client for good, if it did: a failed TLS handshake (no or a wrong
   * client certificate, a server certificate the CA does not vouch for, TLS against a plaintext
   * frontend) or refused credentials (UNAUTHENTICATED, PERMISSION_DENIED). Waiting does not help
   * with these, so callers stop and say what to check.
   */
  public java.util.Optional<String> refusal(StatusRuntimeException e) {
    Status.Code code = e.getStatus().getCode();
    if (code == Status.Code.UNAUTHENTICATED || code == Status.Code.PERMISSION_DENIED) {
      return java.util.Optional.of(
          "Temporal at "
              + target
              + " refused this client ("
              + code
              + (e.getStatus().getDescription() == null
                  ? ""
                  : ": " + e.getStatus().getDescription())
              + ", connecting with "
              + access
              + "); check the API key (--temporal-api-key-file or "
              + TemporalAccess.API_KEY_ENV
              + "), the client certificate and the namespace "
              + namespace());
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof javax.net.ssl.SSLException
          || t.getClass().getSimpleName().equals("NotSslRecordException")) {
        return java.util.Optional.of(
            "the TLS handshake with Temporal at "
                + target
                + " failed ("
                + t.getClass().getSimpleName()
                + ": "
                + t.getMessage()
                + ", connecting with "
                + access
                + "); "
                + (access.usesTls()
                    ? "check that the frontend speaks TLS, that --temporal-ca holds the CA of its"
                        + " certificate (and --temporal-tls-server-name the name in it), and that"
                        + " --temporal-cert/--temporal-key hold a client certificate it accepts"
                    : "the frontend asks for TLS: add --temporal-tls (and --temporal-ca,"
                        + " --temporal-cert, --temporal-key for mTLS)"));
      }
    }
    return java.util.Optional.empty();
  }

  /**
   * Whether a plaintext call failed because the frontend closed the connection before answering, as
   * a frontend that wants TLS does (a frontend going down can do it too, so callers only conclude
   * after it repeats).
   */
  boolean closedPlaintext(StatusRuntimeException e) {
    return access.isPlaintext()
        && e.getStatus().getCode() == Status.Code.UNAVAILABLE
        && e.getStatus().getDescription() != null
        && e.getStatus().getDescription().contains("Network closed for unknown reason");
  }

  /**
   * Consecutive plaintext closes after which {@link #awaitReady} concludes the frontend wants TLS.
   */
  static final int CLOSED_PLAINTEXT_LIMIT = 3;

  /** How this connection authenticates (no secrets). */
  public TemporalAccess access() {
    return access;
  }

  /**
   * One readiness probe ({@code GetSystemInfo}, at most {@code timeout}): empty when the frontend
   * answered, else why not (the gRPC status and its description).
   */
  public java.util.Optional<String> probe(Duration timeout) {
    return probe(stubs, timeout);
  }

  /** As {@link #probe(Duration)}, through {@code stubs}. */
  public static java.util.Optional<String> probe(WorkflowServiceStubs stubs, Duration timeout) {
    try {
      stubs
          .blockingStub()
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
      return java.util.Optional.empty();
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      if (code == Status.Code.UNIMPLEMENTED) {
        return java.util.Optional.empty(); // an old frontend, but it answered
      }
      return java.util.Optional.of(
          code
              + (e.getStatus().getDescription() == null
                  ? ""
                  : ": " + e.getStatus().getDescription()));
    }
  }

  /** The namespace the client works in. */
  public String namespace() {
    return client.getOptions().getNamespace();
  }

  public WorkflowClient client() {
    return client;
  }

  public String target() {
    return target;
  }

  @Override
  public void close() {
    stubs.shutdown();
    stubs.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** How long an RPC may take, for callers that wait on queries. */
  public static Duration rpcTimeout() {
    return Duration.ofSeconds(10);
  }
}
