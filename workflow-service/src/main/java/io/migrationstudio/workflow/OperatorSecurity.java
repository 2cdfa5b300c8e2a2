package io.migrationstudio.workflow;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the operator API protects itself: TLS with a certificate and key (PEM, the key in PKCS#8),
 * optionally requiring client certificates signed by {@code clientCa}, and a bearer token that
 * every mutating call must carry ({@code authorization: Bearer <token>}).
 *
 * <p>On a loopback address all of it is optional. Bound to any other address the API is open to
 * whoever reaches it, so {@link #checkFor} refuses to start without TLS and a token unless {@code
 * insecure} says so explicitly.
 *
 * @param tlsCert PEM certificate (chain) of the server, or null for plaintext
 * @param tlsKey PEM private key of {@code tlsCert} (PKCS#8), or null
 * @param clientCa PEM CA(s) whose client certificates are required (mTLS), or null
 * @param tokenFile file holding the token of mutating calls (at least {@value #MIN_TOKEN_LENGTH}
 *     characters), or null
 * @param insecure serve a non-loopback address without TLS or without a token anyway
 */
public record OperatorSecurity(
    Path tlsCert, Path tlsKey, Path clientCa, Path tokenFile, boolean insecure) {

  /** Nothing: plaintext, no token (loopback only, unless {@code insecure}). */
  public static final OperatorSecurity NONE = new OperatorSecurity(null, null, null, null, false);

  /** A token shorter than this is refused: it could be guessed. */
  public static final int MIN_TOKEN_LENGTH = 16;

  public OperatorSecurity {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException(
          "the operator API's TLS needs both --tls-cert and --tls-key, got only "
              + (tlsCert == null ? "--tls-key " + tlsKey : "--tls-cert " + tlsCert));
    }
    if (clientCa != null && tlsCert == null) {
      throw new IllegalArgumentException(
          "--tls-client-ca "
              + clientCa
              + " needs TLS: give the server's --tls-cert and --tls-key as well");
    }
  }

  public boolean tls() {
    return tlsCert != null;
  }

  /**
   * Refuses to serve {@code bind} when it is not a loopback address and TLS or the token is
   * missing, unless {@link #insecure}; checks that the files named can be read.
   *
   * @throws IllegalArgumentException saying what is missing and what to do
   */
  public void checkFor(String bind) {
    if (!isLoopback(bind) && !insecure && (!tls() || tokenFile == null)) {
      throw new IllegalArgumentException(
          "refusing to serve the operator API on "
              + bind
              + " (not this machine only) without "
              + (!tls() && tokenFile == null
                  ? "TLS and a token"
                  : !tls() ? "TLS" : "a token for mutating calls")
              + ": anyone who reaches "
              + bind
              + " could start migrations and approve gates. Give --tls-cert FILE --tls-key FILE"
              + " (and --tls-client-ca FILE to require client certificates) and --api-token-file"
              + " FILE, bind 127.0.0.1, or pass --insecure if the network is trusted");
    }
    for (Path p : new Path[] {tlsCert, tlsKey, clientCa}) {
      if (p != null && !Files.isReadable(p)) {
        throw new IllegalArgumentException(
            "cannot read " + p + " (operator API TLS): the file is missing or not readable");
      }
    }
    if (tokenFile != null) {
      token();
    }
  }

  /**
   * The token of mutating calls, read from {@link #tokenFile} (surrounding white space removed), or
   * null when none is configured.
   *
   * @throws IllegalArgumentException when the file cannot be read or the token is too short
   */
  public String token() {
    if (tokenFile == null) {
      return null;
    }
    return readToken(tokenFile, "--api-token-file");
  }

  /** Reads a token from {@code file}, refusing one shorter than {@value #MIN_TOKEN_LENGTH}. */
  public static String readToken(Path file, String option) {
    String token;
    try {
      token = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the API token " + option + " " + file + ": " + e.getMessage(), e);
    }
    if (token.length() < MIN_TOKEN_LENGTH || token.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(
          "the API token in "
              + option
              + " "
              + file
              + " must be one word of at least "
              + MIN_TOKEN_LENGTH
              + " characters (it has "
              + token.length()
              + "); make one with `openssl rand -hex 32 > "
              + file
              + "`");
    }
    return token;
  }

  /** Whether {@code bind} names a loopback address (127.0.0.0/8, ::1, localhost). */
  public static boolean isLoopback(String bind) {
    try {
      return InetAddress.getByName(bind).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
