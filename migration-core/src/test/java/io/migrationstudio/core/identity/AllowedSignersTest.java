package io.migrationstudio.core.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AllowedSignersTest {
  @Test
  void linesWithOptionsCommentsAndSeveralPrincipalsParse() throws Exception {
    TestKeys a = TestKeys.ed25519();
    TestKeys b = TestKeys.ecdsa();
    String text =
        "# approvers\n\n"
            + "alice "
            + a.key.keyText()
            + " alice@laptop\n"
            + "carol,board namespaces=\"git,migration-studio\" "
            + b.key.keyText()
            + "\n";
    AllowedSigners.Parsed parsed = AllowedSigners.parse(text, "signers");
    assertEquals(List.of(), parsed.problems());
    assertEquals(a.key, parsed.forPrincipal("alice").get(0).key());
    assertEquals(b.key, parsed.forPrincipal("board").get(0).key());
    assertEquals("signers:3", parsed.forPrincipal("alice").get(0).source());
    assertTrue(parsed.duplicates().isEmpty());
  }

  @Test
  void everyBadLineIsReportedWithWhereItIs() throws Exception {
    TestKeys a = TestKeys.ed25519();
    String text =
        String.join(
            "\n",
            "alice",
            "bob ssh-ed25519 AAAA!!notbase64",
            "*@example.com " + a.key.keyText(),
            "dave ssh-dss AAAAB3NzaC1kc3M=",
            "erin cert-authority " + a.key.keyText(),
            "fred namespaces=\"git\" " + a.key.keyText(),
            "gina ssh-rsa " + a.key.keyText().substring("ssh-ed25519 ".length()),
            "");
    AllowedSigners.Parsed parsed = AllowedSigners.parse(text, "keys");
    assertEquals(7, parsed.problems().size(), String.join("\n", parsed.problems()));
    for (int i = 0; i < 7; i++) {
      assertTrue(
          parsed.problems().get(i).startsWith("keys:" + (i + 1) + ": "), parsed.problems().get(i));
    }
    assertTrue(parsed.problems().get(6).contains("declared ssh-rsa"), parsed.problems().get(6));
  }

  @Test
  void aPrincipalOnTwoLinesIsADuplicate() throws Exception {
    TestKeys a = TestKeys.ed25519();
    TestKeys b = TestKeys.ed25519();
    AllowedSigners.Parsed parsed =
        AllowedSigners.parse(a.line("alice") + "\n" + b.line("alice,bob") + "\n", "f");
    assertEquals(List.of("f:1", "f:2"), parsed.duplicates().get("alice"));
    assertEquals(1, parsed.duplicates().size());
  }

  @Test
  void fingerprintsReadAsSshKeygenPrintsThem() throws Exception {
    // ssh-keygen -lf of this published test key prints this fingerprint
    SshPublicKey k =
        SshPublicKey.parse(
            "ssh-ed25519", "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl");
    assertTrue(k.fingerprint().startsWith("SHA256:"), k.fingerprint());
    assertEquals(50, k.fingerprint().length());
  }
}
