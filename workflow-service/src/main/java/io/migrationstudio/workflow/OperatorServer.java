package io.migrationstudio.workflow;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** The gRPC server of the operator API. */
public final class OperatorServer implements AutoCloseable {
  private final Server server;
  private final ExecutorService blocking;

  private OperatorServer(Server server, ExecutorService blocking) {
    this.server = server;
    this.blocking = blocking;
  }

  /**
   * Starts serving {@code studio.v1.MigrationService} on {@code bind}:{@code port} (0 = any free
   * port). The API has no authentication: bind loopback unless the network is trusted.
   */
  public static OperatorServer start(OperatorService operator, String bind, int port) {
    ExecutorService blocking = Executors.newFixedThreadPool(8);
    try {
      Server server =
          NettyServerBuilder.forAddress(
                  new InetSocketAddress(bind, port), InsecureServerCredentials.create())
              .addService(new MigrationServiceEndpoint(operator, blocking))
              .build()
              .start();
      return new OperatorServer(server, blocking);
    } catch (IOException e) {
      blocking.shutdownNow();
      throw new UncheckedIOException(
          "cannot serve the operator API on " + bind + ":" + port + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    blocking.shutdownNow();
  }
}
