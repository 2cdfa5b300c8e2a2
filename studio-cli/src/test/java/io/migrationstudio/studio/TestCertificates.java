package io.migrationstudio.studio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI for the TLS tests, written as PEM files (keys in PKCS#8): a CA, a server
 * certificate for {@code localhost}, 127.0.0.1 and any extra addresses, a client certificate signed
 * by the same CA, and a client certificate of another CA that nobody trusts.
 */
record TestCertificates(
    Path ca,
    Path serverCert,
    Path serverKey,
    Path clientCert,
    Path clientKey,
    Path rogueCert,
    Path rogueKey) {

  static TestCertificates create(Path dir, String... extraServerAddresses) {
    try {
      Files.createDirectories(dir);
      KeyPair caKeys = keys();
      X509Certificate ca =
          sign("CN=studio test CA", caKeys, "CN=studio test CA", caKeys, true, null, null);
      List<GeneralName> names = new ArrayList<>();
      names.add(new GeneralName(GeneralName.dNSName, "localhost"));
      names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
      for (String a : extraServerAddresses) {
        names.add(new GeneralName(GeneralName.iPAddress, a));
      }
      KeyPair serverKeys = keys();
      X509Certificate server =
          sign(
              "CN=studio test CA",
              caKeys,
              "CN=localhost",
              serverKeys,
              false,
              new GeneralNames(names.toArray(GeneralName[]::new)),
              KeyPurposeId.id_kp_serverAuth);
      KeyPair clientKeys = keys();
      X509Certificate client =
          sign(
              "CN=studio test CA",
              caKeys,
              "CN=studio worker",
              clientKeys,
              false,
              null,
              KeyPurposeId.id_kp_clientAuth);
      KeyPair rogueCaKeys = keys();
      KeyPair rogueKeys = keys();
      X509Certificate rogue =
          sign(
              "CN=someone else's CA",
              rogueCaKeys,
              "CN=studio worker",
              rogueKeys,
              false,
              null,
              KeyPurposeId.id_kp_clientAuth);
      return new TestCertificates(
          pem(dir.resolve("ca.pem"), "CERTIFICATE", ca.getEncoded()),
          pem(dir.resolve("server.pem"), "CERTIFICATE", server.getEncoded()),
          pem(dir.resolve("server-key.pem"), "PRIVATE KEY", serverKeys.getPrivate().getEncoded()),
          pem(dir.resolve("client.pem"), "CERTIFICATE", client.getEncoded()),
          pem(dir.resolve("client-key.pem"), "PRIVATE KEY", clientKeys.getPrivate().getEncoded()),
          pem(dir.resolve("rogue.pem"), "CERTIFICATE", rogue.getEncoded()),
          pem(dir.resolve("rogue-key.pem"), "PRIVATE KEY", rogueKeys.getPrivate().getEncoded()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make the test certificates", e);
    }
  }

  private static KeyPair keys() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  private static X509Certificate sign(
      String issuer,
      KeyPair issuerKeys,
      String subject,
      KeyPair subjectKeys,
      boolean ca,
      GeneralNames names,
      KeyPurposeId purpose)
      throws IOException, GeneralSecurityException, OperatorCreationException {
    Instant now = Instant.now();
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            new X500Name(issuer),
            BigInteger.valueOf(now.toEpochMilli())
                .add(BigInteger.valueOf(System.nanoTime() & 0xffff)),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(1))),
            new X500Name(subject),
            subjectKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    b.addExtension(
        Extension.keyUsage,
        true,
        new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
    if (names != null) {
      b.addExtension(Extension.subjectAlternativeName, false, names);
    }
    if (purpose != null) {
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    }
    return new JcaX509CertificateConverter()
        .getCertificate(
            b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
  }

  private static Path pem(Path file, String type, byte[] der) throws IOException {
    String text =
        "-----BEGIN "
            + type
            + "-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der)
            + "\n-----END "
            + type
            + "-----\n";
    return Files.writeString(file, text, StandardCharsets.US_ASCII);
  }
}
