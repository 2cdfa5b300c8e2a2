package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every listener of the studio (embedded Temporal, gRPC operator API, HTTP API) answers on loopback
 * and is not reachable through the machine's other addresses unless told to bind them.
 */
@Timeout(180)
class ListenerBindingIT {

  /** A non-loopback IPv4 address of this machine, if it has one that is up. */
  static Optional<InetAddress> externalAddress() throws IOException {
    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!ni.isUp() || ni.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(ni.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }

  static void connect(InetAddress address, int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 2_000);
    }
  }

  @Test
  void everyListenerBindsLoopbackOnlyByDefault(@TempDir Path home) throws Exception {
    Optional<InetAddress> external = externalAddress();
    assumeTrue(external.isPresent(), "this machine has no non-loopback address to try");
    InetAddress loopback = InetAddress.getByName(Services.LOOPBACK);
    try (Services services =
        Services.start(
            StudioHome.of(home),
            null,
            0,
            new Services.ServicePorts(Services.LOOPBACK, 0, -1),
            Set.of(),
            null)) {
      int temporal = Integer.parseInt(services.temporalTarget().replaceAll(".*:", ""));
      for (int port : new int[] {temporal, services.apiPort(), services.httpPort()}) {
        assertDoesNotThrow(() -> connect(loopback, port), "loopback port " + port);
        assertThrows(
            IOException.class,
            () -> connect(external.get(), port),
            "port " + port + " must not answer on " + external.get());
      }
    }
  }

  @Test
  void bindingEveryAddressIsAnExplicitChoice() throws Exception {
    Optional<InetAddress> external = externalAddress();
    assumeTrue(external.isPresent(), "this machine has no non-loopback address to try");
    // the check above can fail: an embedded Temporal told to bind every address answers there
    try (EmbeddedTemporal open = EmbeddedTemporal.start("0.0.0.0", 0)) {
      assertDoesNotThrow(() -> connect(external.get(), open.port()));
    }
  }
}
