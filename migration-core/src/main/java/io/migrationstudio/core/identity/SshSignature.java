package io.migrationstudio.core.identity;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * An SSH signature in the SSHSIG format that {@code ssh-keygen -Y sign} writes and {@code
 * ssh-keygen -Y verify} checks (OpenSSH PROTOCOL.sshsig). The armored text decodes to
 *
 * <pre>
 *   byte[6] "SSHSIG"  uint32 version (1)  string publickey  string namespace
 *   string reserved (empty)  string hash_algorithm (sha256|sha512)  string signature
 * </pre>
 *
 * and the signature (an SSH signature blob: algorithm name, then the signature bytes) covers {@code
 * "SSHSIG" || string namespace || string reserved || string hash_algorithm || string H(message)}.
 * {@link #parse} refuses anything else: another magic or version, a non-empty reserved field,
 * another hash, a signature algorithm that does not fit the key (SHA-1 {@code ssh-rsa} signatures
 * included), bytes after the last field.
 */
public final class SshSignature {
  static final String MAGIC = "SSHSIG";
  static final long VERSION = 1;
  static final String BEGIN = "-----BEGIN SSH SIGNATURE-----";
  static final String END = "-----END SSH SIGNATURE-----";
  static final List<String> HASHES = List.of("sha256", "sha512");

  private final SshPublicKey key;
  private final String namespace;
  private final String hashAlgorithm;
  private final String signatureAlgorithm;
  private final byte[] signature;

  private SshSignature(
      SshPublicKey key,
      String namespace,
      String hashAlgorithm,
      String signatureAlgorithm,
      byte[] signature) {
    this.key = key;
    this.namespace = namespace;
    this.hashAlgorithm = hashAlgorithm;
    this.signatureAlgorithm = signatureAlgorithm;
    this.signature = signature;
  }

  /** Parses an armored signature ({@code -----BEGIN SSH SIGNATURE-----} ...). */
  public static SshSignature parse(String armored) {
    if (armored == null || armored.isBlank()) {
      throw new SignatureFormatException("the signature is empty");
    }
    List<String> lines = armored.strip().lines().map(String::strip).toList();
    if (lines.size() < 3
        || !lines.get(0).equals(BEGIN)
        || !lines.get(lines.size() - 1).equals(END)) {
      throw new SignatureFormatException(
          "the signature is not an armored SSH signature: it must start with "
              + BEGIN
              + " and end with "
              + END
              + " (as ssh-keygen -Y sign writes it)");
    }
    String body = String.join("", lines.subList(1, lines.size() - 1));
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new SignatureFormatException("the signature's body is not valid base64");
    }
    return fromBlob(blob);
  }

  static SshSignature fromBlob(byte[] blob) {
    SshWire.Reader r = new SshWire.Reader(blob, "the SSH signature");
    if (!Arrays.equals(r.raw(MAGIC.length()), SshPublicKey.ascii(MAGIC))) {
      throw new SignatureFormatException("the signature does not start with SSHSIG");
    }
    long version = r.uint32();
    if (version != VERSION) {
      throw new SignatureFormatException(
          "the signature has SSHSIG version " + version + "; only version 1 is known");
    }
    SshPublicKey key = SshPublicKey.fromBlob(r.string());
    String namespace = r.text();
    if (r.string().length != 0) {
      throw new SignatureFormatException("the signature's reserved field is not empty");
    }
    String hash = r.text();
    if (!HASHES.contains(hash)) {
      throw new SignatureFormatException(
          "the signature uses hash " + hash + "; only sha256 and sha512 are accepted");
    }
    byte[] sigBlob = r.string();
    r.end();
    SshWire.Reader s = new SshWire.Reader(sigBlob, "the signature value");
    String algorithm = s.text();
    byte[] value = s.string();
    s.end();
    if (!fits(key.type(), algorithm)) {
      throw new SignatureFormatException(
          "a "
              + key.type()
              + " key cannot make a "
              + algorithm
              + " signature here"
              + (algorithm.equals(SshPublicKey.RSA)
                  ? " (SHA-1 RSA signatures are refused; ssh-keygen -Y sign makes rsa-sha2-512)"
                  : ""));
    }
    return new SshSignature(key, namespace, hash, algorithm, value);
  }

  private static boolean fits(String keyType, String algorithm) {
    return switch (keyType) {
      case SshPublicKey.ED25519 -> algorithm.equals(SshPublicKey.ED25519);
      case SshPublicKey.RSA -> algorithm.equals("rsa-sha2-256") || algorithm.equals("rsa-sha2-512");
      case SshPublicKey.ECDSA_P256 -> algorithm.equals(SshPublicKey.ECDSA_P256);
      default -> false;
    };
  }

  /** The key that made the signature (as written in it; not yet trusted). */
  public SshPublicKey key() {
    return key;
  }

  public String namespace() {
    return namespace;
  }

  public String hashAlgorithm() {
    return hashAlgorithm;
  }

  /**
   * Whether the signature, made by {@link #key()} in {@link #namespace()}, covers {@code message}.
   */
  public boolean verifies(byte[] message) {
    try {
      Signature v = Signature.getInstance(jdkAlgorithm(signatureAlgorithm));
      v.initVerify(key.jdkKey());
      v.update(signedData(namespace, hashAlgorithm, message));
      byte[] value =
          signatureAlgorithm.equals(SshPublicKey.ECDSA_P256) ? p1363(signature) : signature;
      return value != null && v.verify(value);
    } catch (GeneralSecurityException | SignatureFormatException e) {
      return false;
    }
  }

  /**
   * Signs {@code message} in {@code namespace} with {@code hashAlgorithm} as {@code ssh-keygen -Y
   * sign} would, and returns the armored signature. The studio verifies with {@link #verifies};
   * this side exists for tests and for a studio key, people sign with ssh-keygen.
   */
  public static String sign(
      PrivateKey privateKey,
      SshPublicKey publicKey,
      String namespace,
      String hashAlgorithm,
      byte[] message) {
    String algorithm =
        switch (publicKey.type()) {
          case SshPublicKey.RSA -> "rsa-sha2-512";
          default -> publicKey.type();
        };
    try {
      Signature s = Signature.getInstance(jdkAlgorithm(algorithm));
      s.initSign(privateKey);
      s.update(signedData(namespace, hashAlgorithm, message));
      byte[] value = s.sign();
      if (algorithm.equals(SshPublicKey.ECDSA_P256)) {
        value =
            new SshWire.Writer()
                .mpint(new BigInteger(1, Arrays.copyOfRange(value, 0, 32)))
                .mpint(new BigInteger(1, Arrays.copyOfRange(value, 32, 64)))
                .bytes();
      }
      byte[] blob =
          new SshWire.Writer()
              .raw(SshPublicKey.ascii(MAGIC))
              .uint32(VERSION)
              .string(publicKey.blob())
              .string(namespace)
              .string(new byte[0])
              .string(hashAlgorithm)
              .string(new SshWire.Writer().string(algorithm).string(value).bytes())
              .bytes();
      return armor(blob);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot sign with the " + publicKey.type() + " key", e);
    }
  }

  static String armor(byte[] blob) {
    String b64 = Base64.getEncoder().encodeToString(blob);
    StringBuilder out = new StringBuilder(BEGIN).append('\n');
    for (int i = 0; i < b64.length(); i += 70) {
      out.append(b64, i, Math.min(b64.length(), i + 70)).append('\n');
    }
    return out.append(END).append('\n').toString();
  }

  private static byte[] signedData(String namespace, String hashAlgorithm, byte[] message)
      throws GeneralSecurityException {
    String digest = hashAlgorithm.toUpperCase(Locale.ROOT).replace("SHA", "SHA-");
    byte[] h = MessageDigest.getInstance(digest).digest(message);
    return new SshWire.Writer()
        .raw(SshPublicKey.ascii(MAGIC))
        .string(namespace)
        .string(new byte[0])
        .string(hashAlgorithm)
        .string(h)
        .bytes();
  }

  private static String jdkAlgorithm(String sshAlgorithm) {
    return switch (sshAlgorithm) {
      case SshPublicKey.ED25519 -> "Ed25519";
      case "rsa-sha2-256" -> "SHA256withRSA";
      case "rsa-sha2-512" -> "SHA512withRSA";
      case SshPublicKey.ECDSA_P256 -> "SHA256withECDSAinP1363Format";
      default -> throw new SignatureFormatException("signature algorithm " + sshAlgorithm);
    };
  }

  /** An SSH ECDSA signature ({@code mpint r, mpint s}) as the 64 bytes r||s, or null if invalid. */
  private static byte[] p1363(byte[] sshValue) {
    SshWire.Reader r = new SshWire.Reader(sshValue, "the ECDSA signature");
    BigInteger rr = r.mpint();
    BigInteger ss = r.mpint();
    r.end();
    if (rr.bitLength() > 256 || ss.bitLength() > 256) {
      return null;
    }
    byte[] out = new byte[64];
    fill(out, 0, rr);
    fill(out, 32, ss);
    return out;
  }

  private static void fill(byte[] out, int at, BigInteger v) {
    byte[] b = v.toByteArray();
    int n = Math.min(b.length, 32);
    System.arraycopy(b, b.length - n, out, at + 32 - n, n);
  }
}
