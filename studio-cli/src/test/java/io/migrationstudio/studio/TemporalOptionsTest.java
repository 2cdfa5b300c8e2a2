package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.workflow.OperatorSecurity;
import io.migrationstudio.workflow.TemporalAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Temporal connection settings from options and Temporal's environment variables. */
class TemporalOptionsTest {
  static final Map<String, String> ENV =
      Map.of(
          "TEMPORAL_ADDRESS", "ns.acct.tmprl.cloud:7233",
          "TEMPORAL_NAMESPACE", "ns.acct",
          "TEMPORAL_TLS_SERVER_CA_CERT_PATH", "/etc/studio/ca.pem",
          "TEMPORAL_TLS_CLIENT_CERT_PATH", "/etc/studio/client.pem",
          "TEMPORAL_TLS_CLIENT_KEY_PATH", "/etc/studio/client.key",
          "TEMPORAL_API_KEY", "key-from-env");

  @Test
  void theEnvironmentFillsWhatTheOptionsLeaveOut() {
    TemporalAccess a = new TemporalOptions().access(ENV::get);
    assertEquals(Path.of("/etc/studio/ca.pem"), a.ca());
    assertEquals(Path.of("/etc/studio/client.pem"), a.cert());
    assertEquals(Path.of("/etc/studio/client.key"), a.key());
    assertEquals("key-from-env", a.apiKey());
    assertTrue(a.usesTls());
    assertEquals("ns.acct.tmprl.cloud:7233", TemporalOptions.address(null, ENV::get, "x:1"));
    assertEquals("ns.acct", TemporalOptions.namespace(null, ENV::get));
    assertEquals("default", TemporalOptions.namespace(null, k -> null));
    assertEquals("127.0.0.1:7233", TemporalOptions.address(null, k -> null, "127.0.0.1:7233"));
  }

  @Test
  void optionsWinAndTheKeyFileIsRead(@TempDir Path dir) throws Exception {
    TemporalOptions o = new TemporalOptions();
    o.ca = dir.resolve("my-ca.pem");
    o.apiKeyFile = Files.writeString(dir.resolve("key"), "  key-from-file\n");
    TemporalAccess a = o.access(ENV::get);
    assertEquals(dir.resolve("my-ca.pem"), a.ca());
    assertEquals("key-from-file", a.apiKey());
    assertEquals("h:1", TemporalOptions.address("h:1", ENV::get, null));
  }

  @Test
  void noSettingMeansPlaintextAndTheKeyIsNeverPrinted() {
    assertTrue(new TemporalOptions().access(k -> null).isPlaintext());
    TemporalAccess a = new TemporalOptions().access(ENV::get);
    assertFalse(a.toString().contains("key-from-env"), a.toString());
    assertTrue(a.toString().contains("API key ****"), a.toString());
  }

  @Test
  void aCertificateWithoutKeyAndAnEmptyKeyFileAreRefused(@TempDir Path dir) throws Exception {
    assertThrows(
        IllegalArgumentException.class,
        () -> new TemporalAccess(false, null, dir.resolve("c.pem"), null, null, null));
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertThrows(IllegalArgumentException.class, () -> TemporalAccess.readApiKey(empty));
  }

  @Test
  void theOperatorApiRefusesAnExposedAddressWithoutTlsAndToken(@TempDir Path dir) throws Exception {
    Path token = Files.writeString(dir.resolve("t"), "0123456789abcdef0123");
    Path shortToken = Files.writeString(dir.resolve("s"), "short");
    Path cert = Files.writeString(dir.resolve("c.pem"), "x");
    OperatorSecurity.NONE.checkFor("127.0.0.1");
    OperatorSecurity.NONE.checkFor("localhost");
    assertThrows(IllegalArgumentException.class, () -> OperatorSecurity.NONE.checkFor("0.0.0.0"));
    assertThrows(
        IllegalArgumentException.class,
        () -> new OperatorSecurity(null, null, null, token, false).checkFor("0.0.0.0"));
    new OperatorSecurity(null, null, null, null, true).checkFor("0.0.0.0");
    new OperatorSecurity(cert, cert, null, token, false).checkFor("0.0.0.0");
    assertThrows(
        IllegalArgumentException.class,
        () -> new OperatorSecurity(null, null, null, shortToken, false).checkFor("127.0.0.1"));
    assertThrows(
        IllegalArgumentException.class, () -> new OperatorSecurity(cert, null, null, null, false));
    assertNull(OperatorSecurity.NONE.token());
  }
}
