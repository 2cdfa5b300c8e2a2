package io.migrationstudio.studio;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.migrationstudio.workflow.deterministic.MigrationSearchAttributes;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

/**
 * Temporal's in-process server (the {@code temporal-test-server} artifact) bound to one address and
 * port (loopback unless {@code studio server --bind} says otherwise), with time skipping locked so
 * that reviews can wait for days in real time. It keeps workflow state in memory: a restart of this
 * process loses running workflows, and the evidence in git is what {@code studio run} resumes from.
 */
final class EmbeddedTemporal implements AutoCloseable {
  private final TestServicesStarter services;
  private final Server server;
  private final String host;
  private final int port;

  private EmbeddedTemporal(TestServicesStarter services, Server server, String host, int port) {
    this.services = services;
    this.server = server;
    this.host = host;
    this.port = port;
  }

  /**
   * Starts on {@code bind}:{@code port} ({@code port} 0: a free port). {@code
   * TestServer.createPortBoundServer} binds every interface; this builds the same server (the same
   * services, time skipping locked) on the one address asked for.
   */
  static EmbeddedTemporal start(String bind, int port) {
    int p = port == 0 ? freePort() : port;
    TestServicesStarter services = new TestServicesStarter(true, 0);
    try {
      ServerBuilder<?> builder =
          NettyServerBuilder.forAddress(
              new InetSocketAddress(bind, p), InsecureServerCredentials.create());
      GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
      EmbeddedTemporal started = new EmbeddedTemporal(services, builder.build().start(), bind, p);
      started.registerSearchAttributes();
      return started;
    } catch (IOException e) {
      services.close();
      throw new UncheckedIOException(
          "cannot start the embedded Temporal on " + bind + ":" + p + ": " + e.getMessage(), e);
    }
  }

  /**
   * Registers MigrationId, MigrationStage and MigrationState (Keyword) in the namespace {@code
   * default}, as an operator does on a cluster, so migrations carry them here too.
   */
  private void registerSearchAttributes() {
    io.temporal.api.operatorservice.v1.AddSearchAttributesRequest.Builder request =
        io.temporal.api.operatorservice.v1.AddSearchAttributesRequest.newBuilder()
            .setNamespace("default");
    for (var key :
        java.util.List.of(
            MigrationSearchAttributes.MIGRATION_ID,
            MigrationSearchAttributes.MIGRATION_STAGE,
            MigrationSearchAttributes.MIGRATION_STATE)) {
      request.putSearchAttributes(
          key.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setTarget(target())
                .validateAndBuildWithDefaults());
    try {
      operator
          .blockingStub()
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .addSearchAttributes(request.build());
    } catch (io.grpc.StatusRuntimeException e) {
      // without them migrations start without search attributes (OperatorService falls back)
      org.slf4j.LoggerFactory.getLogger(EmbeddedTemporal.class)
          .warn(
              "the embedded Temporal did not register the migration search attributes: {}",
              e.toString());
    } finally {
      operator.shutdownNow();
    }
  }

  /** {@code host:port} for clients: the bound address, or loopback when it binds every address. */
  String target() {
    return target(host, port);
  }

  /** {@code host:port} for clients of a server bound to {@code host} and {@code port}. */
  static String target(String host, int port) {
    boolean any = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    return (any ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  int port() {
    return port;
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free local port", e);
    }
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    services.close();
  }
}
