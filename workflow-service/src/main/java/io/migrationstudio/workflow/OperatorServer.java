package io.migrationstudio.workflow;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.services.HealthStatusManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server of the operator API: {@code studio.v1.MigrationService}, the standard health
 * service ({@code grpc.health.v1.Health}: SERVING while Temporal answers, see {@link
 * TemporalServing}) and server reflection (v1 and v1alpha), so that {@code grpcurl} lists and calls
 * it without the proto files.
 */
public final class OperatorServer implements AutoCloseable {
  private final Server server;
  private final ExecutorService blocking;
  private final HealthStatusManager health;
  private final TemporalServing serving;

  private OperatorServer(
      Server server,
      ExecutorService blocking,
      HealthStatusManager health,
      TemporalServing serving) {
    this.server = server;
    this.blocking = blocking;
    this.health = health;
    this.serving = serving;
  }

  /**
   * Starts serving on {@code bind}:{@code port} (0 = any free port), plaintext and without a token:
   * for loopback only.
   */
  public static OperatorServer start(OperatorService operator, String bind, int port) {
    return start(operator, bind, port, OperatorSecurity.NONE);
  }

  /**
   * Starts serving on {@code bind}:{@code port} (0 = any free port) with TLS and the token of
   * {@code security}; refuses a non-loopback address without both unless it says {@code insecure}
   * (see {@link OperatorSecurity#checkFor}).
   */
  public static OperatorServer start(
      OperatorService operator, String bind, int port, OperatorSecurity security) {
    security.checkFor(bind);
    String token = security.token();
    SslContext tls = security.tls() ? sslContext(security) : null;
    ExecutorService blocking = Executors.newFixedThreadPool(8);
    HealthStatusManager health = new HealthStatusManager();
    try {
      ServerServiceDefinition api = new MigrationServiceEndpoint(operator, blocking).bindService();
      if (token != null) {
        api = ServerInterceptors.intercept(api, new ApiTokenCheck(token));
      }
      NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(bind, port));
      if (tls != null) {
        builder.sslContext(tls);
      }
      Server server =
          builder
              .addService(api)
              .addService(health.getHealthService())
              .addService(ProtoReflectionServiceV1.newInstance())
              .addService(reflectionV1Alpha())
              .build()
              .start();
      TemporalServing serving = TemporalServing.start(health, operator::temporalProblem);
      return new OperatorServer(server, blocking, health, serving);
    } catch (IOException e) {
      blocking.shutdownNow();
      throw new UncheckedIOException(
          "cannot serve the operator API on " + bind + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /** The older reflection protocol, for grpcurl releases before v1. */
  @SuppressWarnings("deprecation")
  private static io.grpc.BindableService reflectionV1Alpha() {
    return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
  }

  private static SslContext sslContext(OperatorSecurity security) {
    try {
      SslContextBuilder tls =
          GrpcSslContexts.forServer(security.tlsCert().toFile(), security.tlsKey().toFile());
      if (security.clientCa() != null) {
        tls.trustManager(security.clientCa().toFile()).clientAuth(ClientAuth.REQUIRE);
      }
      return tls.build();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot read the operator API's TLS files (--tls-cert "
              + security.tlsCert()
              + ", --tls-key "
              + security.tlsKey()
              + (security.clientCa() == null ? "" : ", --tls-client-ca " + security.clientCa())
              + "): "
              + e.getMessage()
              + "; they must be PEM files, the key in PKCS#8 (BEGIN PRIVATE KEY)",
          e);
    }
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    serving.close();
    health.enterTerminalState();
    server.shutdown();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    blocking.shutdownNow();
  }
}
