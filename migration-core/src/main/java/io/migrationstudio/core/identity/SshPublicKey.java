package io.migrationstudio.core.identity;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * An SSH public key as the wire blob of its {@code authorized_keys}/{@code allowed_signers} line
 * ({@code ssh-ed25519 AAAA...}), with what verification needs: its JDK key and its fingerprint
 * ({@code SHA256:...}, as {@code ssh-keygen -l} prints it). Supported: {@code ssh-ed25519}, {@code
 * ssh-rsa} (2048 bits or more; signatures {@code rsa-sha2-256}/{@code rsa-sha2-512}, never SHA-1)
 * and {@code ecdsa-sha2-nistp256}. Two keys are equal when their blobs are.
 */
public final class SshPublicKey {
  public static final String ED25519 = "ssh-ed25519";
  public static final String RSA = "ssh-rsa";
  public static final String ECDSA_P256 = "ecdsa-sha2-nistp256";

  /** The key types the verifier accepts. */
  public static final List<String> TYPES = List.of(ED25519, RSA, ECDSA_P256);

  /** The smallest RSA modulus accepted. */
  public static final int MIN_RSA_BITS = 2048;

  // DER prefixes of the X.509 SubjectPublicKeyInfo of an Ed25519 key and an uncompressed P-256
  // point
  private static final byte[] ED25519_X509 = HexFormat.of().parseHex("302a300506032b6570032100");
  private static final byte[] P256_X509 =
      HexFormat.of().parseHex("3059301306072a8648ce3d020106082a8648ce3d030107034200");

  private final String type;
  private final byte[] blob;
  private final PublicKey key;

  private SshPublicKey(String type, byte[] blob, PublicKey key) {
    this.type = type;
    this.blob = blob;
    this.key = key;
  }

  /**
   * Parses {@code base64} (the key field of a key line); {@code declaredType} (the field before it)
   * must match the type inside the blob.
   */
  public static SshPublicKey parse(String declaredType, String base64) {
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new SignatureFormatException("the key is not valid base64: " + e.getMessage());
    }
    SshPublicKey k = fromBlob(blob);
    if (!k.type.equals(declaredType)) {
      throw new SignatureFormatException(
          "the key is declared " + declaredType + " but its data is a " + k.type + " key");
    }
    return k;
  }

  /** The SSH form of a JDK public key (Ed25519, RSA or EC P-256), e.g. one made in a test. */
  public static SshPublicKey of(PublicKey key) {
    SshWire.Writer w = new SshWire.Writer();
    byte[] x509 = key.getEncoded();
    if (key instanceof java.security.interfaces.RSAPublicKey rsa) {
      w.string(RSA).mpint(rsa.getPublicExponent()).mpint(rsa.getModulus());
    } else if (key instanceof java.security.interfaces.ECPublicKey) {
      w.string(ECDSA_P256)
          .string("nistp256")
          .string(Arrays.copyOfRange(x509, x509.length - 65, x509.length));
    } else if ("Ed25519".equals(key.getAlgorithm()) || "EdDSA".equals(key.getAlgorithm())) {
      w.string(ED25519).string(Arrays.copyOfRange(x509, x509.length - 32, x509.length));
    } else {
      throw new SignatureFormatException(
          "key algorithm " + key.getAlgorithm() + " is not supported");
    }
    return fromBlob(w.bytes());
  }

  /** Parses a wire blob (as inside an SSHSIG signature). */
  public static SshPublicKey fromBlob(byte[] blob) {
    SshWire.Reader r = new SshWire.Reader(blob, "the public key");
    String type = r.text();
    try {
      PublicKey key =
          switch (type) {
            case ED25519 -> ed25519(r);
            case RSA -> rsa(r);
            case ECDSA_P256 -> ecdsaP256(r);
            default ->
                throw new SignatureFormatException(
                    "key type " + type + " is not supported; use one of " + TYPES);
          };
      r.end();
      return new SshPublicKey(type, blob.clone(), key);
    } catch (GeneralSecurityException e) {
      throw new SignatureFormatException("the " + type + " key is invalid: " + e.getMessage());
    }
  }

  private static PublicKey ed25519(SshWire.Reader r) throws GeneralSecurityException {
    byte[] point = r.string();
    if (point.length != 32) {
      throw new SignatureFormatException(
          "an ssh-ed25519 key has 32 bytes, this one " + point.length);
    }
    return KeyFactory.getInstance("Ed25519")
        .generatePublic(new X509EncodedKeySpec(concat(ED25519_X509, point)));
  }

  private static PublicKey rsa(SshWire.Reader r) throws GeneralSecurityException {
    BigInteger e = r.mpint();
    BigInteger n = r.mpint();
    if (n.bitLength() < MIN_RSA_BITS) {
      throw new SignatureFormatException(
          "the ssh-rsa key has "
              + n.bitLength()
              + " bits; at least "
              + MIN_RSA_BITS
              + " are required (make a new one with ssh-keygen -t ed25519)");
    }
    return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
  }

  private static PublicKey ecdsaP256(SshWire.Reader r) throws GeneralSecurityException {
    String curve = r.text();
    byte[] q = r.string();
    if (!"nistp256".equals(curve) || q.length != 65 || q[0] != 4) {
      throw new SignatureFormatException(
          "an ecdsa-sha2-nistp256 key names curve nistp256 and holds an uncompressed 65-byte point");
    }
    return KeyFactory.getInstance("EC")
        .generatePublic(new X509EncodedKeySpec(concat(P256_X509, q)));
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  public String type() {
    return type;
  }

  public byte[] blob() {
    return blob.clone();
  }

  PublicKey jdkKey() {
    return key;
  }

  /** {@code SHA256:<base64 without padding>}, as {@code ssh-keygen -l} prints it. */
  public String fingerprint() {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(blob);
      return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(h);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** The key as it appears in a key line: {@code <type> <base64>}. */
  public String keyText() {
    return type + " " + Base64.getEncoder().encodeToString(blob);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SshPublicKey k && Arrays.equals(k.blob, blob);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(blob);
  }

  @Override
  public String toString() {
    return type + " " + fingerprint();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
