package io.migrationstudio.core.identity;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * The studio's own signing key: an unencrypted OpenSSH {@code ssh-ed25519} private key (what {@code
 * ssh-keygen -t ed25519 -N ''} writes), with which the artifact store signs every commit it makes
 * in git's SSH format ({@code gpgsig} holding an SSHSIG in namespace {@value #GIT_NAMESPACE}, as
 * {@code git commit -S} with {@code gpg.format=ssh} would). Anyone then checks a commit with {@code
 * git verify-commit} given an allowed-signers file naming the public key.
 *
 * <p>The private key file ({@code openssh-key-v1}): magic, cipher and KDF names ({@code none}), KDF
 * options, the number of keys (1), the public key, then the private section: two equal check words,
 * the key type, the 32-byte public point, 64 bytes of seed and point, a comment, padding.
 */
public final class StudioSigningKey {
  /** The namespace git signs and verifies commits in. */
  public static final String GIT_NAMESPACE = "git";

  private static final String BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
  private static final String END = "-----END OPENSSH PRIVATE KEY-----";
  private static final byte[] MAGIC = "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);

  private final PrivateKey privateKey;
  private final SshPublicKey publicKey;
  private final Path file;

  private StudioSigningKey(PrivateKey privateKey, SshPublicKey publicKey, Path file) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.file = file;
  }

  /** The environment variable naming the studio's signing key file. */
  public static final String ENV = "STUDIO_SIGNING_KEY";

  /**
   * The key {@value #ENV} names in {@code env}, or null when it is unset or blank (commits are then
   * unsigned).
   */
  public static StudioSigningKey configured(java.util.function.Function<String, String> env) {
    String path = env.apply(ENV);
    return path == null || path.isBlank() ? null : read(Path.of(path.strip()));
  }

  /**
   * Reads the key at {@code file}; a missing, encrypted, malformed or non-Ed25519 key is
   * INVALID_SPEC naming the file and what to do.
   */
  public static StudioSigningKey read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw refused(file, "cannot be read (" + e.getMessage() + ")");
    }
    int from = text.indexOf(BEGIN);
    int to = text.indexOf(END);
    if (from < 0 || to < from) {
      throw refused(file, "is not an OpenSSH private key (" + BEGIN + ")");
    }
    try {
      byte[] data =
          Base64.getMimeDecoder().decode(text.substring(from + BEGIN.length(), to).strip());
      if (data.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(data, MAGIC.length), MAGIC)) {
        throw refused(file, "is not an openssh-key-v1 private key");
      }
      SshWire.Reader r =
          new SshWire.Reader(
              Arrays.copyOfRange(data, MAGIC.length, data.length), "the private key " + file);
      String cipher = r.text();
      String kdf = r.text();
      r.string(); // KDF options
      if (!"none".equals(cipher) || !"none".equals(kdf)) {
        throw refused(
            file,
            "is protected by a passphrase (cipher "
                + cipher
                + "); the studio signs unattended: give it a key without one (ssh-keygen -t"
                + " ed25519 -N '' -f FILE), readable only by the studio's user");
      }
      if (r.uint32() != 1) {
        throw refused(file, "holds more than one key");
      }
      SshPublicKey pub = SshPublicKey.fromBlob(r.string());
      SshWire.Reader p = new SshWire.Reader(r.string(), "the private section of " + file);
      if (p.uint32() != p.uint32()) {
        throw refused(file, "is corrupt (its check words differ)");
      }
      String type = p.text();
      if (!SshPublicKey.ED25519.equals(type) || !SshPublicKey.ED25519.equals(pub.type())) {
        throw refused(
            file,
            "is a "
                + type
                + " key; the studio signs with ssh-ed25519 keys (ssh-keygen -t ed25519)");
      }
      p.string(); // the public point again
      byte[] seedAndPoint = p.string();
      if (seedAndPoint.length != 64) {
        throw refused(file, "is corrupt (an ed25519 private key has 64 bytes)");
      }
      PrivateKey key =
          KeyFactory.getInstance("Ed25519")
              .generatePrivate(
                  new EdECPrivateKeySpec(
                      NamedParameterSpec.ED25519, Arrays.copyOf(seedAndPoint, 32)));
      return new StudioSigningKey(key, pub, file);
    } catch (SignatureFormatException | IllegalArgumentException | GeneralSecurityException e) {
      throw refused(file, "is malformed (" + e.getMessage() + ")");
    }
  }

  private static MigrationException refused(Path file, String why) {
    return new MigrationException(
        ErrorCode.INVALID_SPEC, "the studio signing key " + file + " " + why);
  }

  /** The SSHSIG of {@code payload} (a commit without its signature) in git's namespace. */
  public String signCommit(byte[] payload) {
    return SshSignature.sign(privateKey, publicKey, GIT_NAMESPACE, "sha512", payload);
  }

  public SshPublicKey publicKey() {
    return publicKey;
  }

  public Path file() {
    return file;
  }
}
