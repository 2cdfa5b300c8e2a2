package io.migrationstudio.studio;

import io.temporal.testserver.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * Temporal's in-process server (the {@code temporal-test-server} artifact) bound to a port, with
 * time skipping locked so that reviews can wait for days in real time. It keeps workflow state in
 * memory: a restart of this process loses running workflows, and the evidence in git is what {@code
 * studio run} resumes from.
 */
final class EmbeddedTemporal implements AutoCloseable {
  private final TestServer.PortBoundTestServer server;
  private final int port;

  private EmbeddedTemporal(TestServer.PortBoundTestServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /** Starts on {@code port}, or on a free port when {@code port} is 0. */
  static EmbeddedTemporal start(int port) {
    int p = port == 0 ? freePort() : port;
    return new EmbeddedTemporal(TestServer.createPortBoundServer(p, true), p);
  }

  String target() {
    return "127.0.0.1:" + port;
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
    server.close();
  }
}
