package io.migrationstudio.workflow;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * How a client proves itself to a Temporal frontend and checks it: TLS with the server's CA
 * (default: the JVM's trusted CAs), a client certificate and key for mTLS (PEM; the key in PKCS#8),
 * a TLS server name when the certificate names another host than the address, and an API key
 * (Temporal Cloud; sent as {@code authorization: Bearer <key>}, and it implies TLS).
 *
 * <p>The environment variables are Temporal's own client settings ({@code temporal} CLI and SDKs),
 * so one environment file serves both: {@value #ADDRESS_ENV}, {@value #NAMESPACE_ENV}, {@value
 * #TLS_ENV}, {@value #CA_ENV}, {@value #CERT_ENV}, {@value #KEY_ENV}, {@value #SERVER_NAME_ENV},
 * {@value #API_KEY_ENV}.
 *
 * @param tls TLS even without a CA, certificate or API key (the server's certificate is checked
 *     against the JVM's trusted CAs)
 * @param ca PEM file of the CA(s) that signed the server's certificate, or null
 * @param cert PEM file of the client certificate (chain) for mTLS, or null
 * @param key PEM file of the client certificate's private key (PKCS#8), or null
 * @param serverName the name the server's certificate must carry when it is not the host of the
 *     address (TLS authority override), or null
 * @param apiKey the API key, or null; never printed ({@link #toString()} hides it)
 */
public record TemporalAccess(
    boolean tls, Path ca, Path cert, Path key, String serverName, String apiKey) {

  public static final String ADDRESS_ENV = "TEMPORAL_ADDRESS";
  public static final String NAMESPACE_ENV = "TEMPORAL_NAMESPACE";
  public static final String TLS_ENV = "TEMPORAL_TLS";
  public static final String CA_ENV = "TEMPORAL_TLS_SERVER_CA_CERT_PATH";
  public static final String CERT_ENV = "TEMPORAL_TLS_CLIENT_CERT_PATH";
  public static final String KEY_ENV = "TEMPORAL_TLS_CLIENT_KEY_PATH";
  public static final String SERVER_NAME_ENV = "TEMPORAL_TLS_SERVER_NAME";
  public static final String API_KEY_ENV = "TEMPORAL_API_KEY";

  /** Plaintext, no credentials: the embedded Temporal, a local dev server. */
  public static final TemporalAccess PLAINTEXT =
      new TemporalAccess(false, null, null, null, null, null);

  public TemporalAccess {
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException(
          "a Temporal client certificate needs its key and the key its certificate: got "
              + (cert == null ? "--temporal-key " + key + " without --temporal-cert" : "")
              + (key == null ? "--temporal-cert " + cert + " without --temporal-key" : "")
              + "; give both (or neither)");
    }
    serverName = serverName == null || serverName.isBlank() ? null : serverName.strip();
    apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
  }

  /**
   * The settings of {@link #API_KEY_ENV} and the {@code TEMPORAL_TLS*} variables of {@code env}
   * (blank or absent: not set).
   */
  public static TemporalAccess fromEnvironment(Function<String, String> env) {
    return new TemporalAccess(
        "true".equalsIgnoreCase(blankToNull(env.apply(TLS_ENV))),
        path(env.apply(CA_ENV)),
        path(env.apply(CERT_ENV)),
        path(env.apply(KEY_ENV)),
        env.apply(SERVER_NAME_ENV),
        env.apply(API_KEY_ENV));
  }

  /**
   * Reads an API key from {@code file} (its content, surrounding white space removed).
   *
   * @throws IllegalArgumentException when it cannot be read or is empty
   */
  public static String readApiKey(Path file) {
    try {
      String key = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (key.isEmpty()) {
        throw new IllegalArgumentException(
            "the Temporal API key file " + file + " is empty; put the key in it (one line)");
      }
      return key;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the Temporal API key file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Whether the connection uses TLS: asked for, or implied by a CA, a certificate or an API key.
   */
  public boolean usesTls() {
    return tls || ca != null || cert != null || apiKey != null || serverName != null;
  }

  /** Whether anything beyond plaintext is configured. */
  public boolean isPlaintext() {
    return !usesTls();
  }

  /** Adds TLS and the API key to Temporal's service stub options. */
  void applyTo(WorkflowServiceStubsOptions.Builder options) {
    if (usesTls()) {
      options.setSslContext(sslContext());
    }
    if (apiKey != null) {
      String k = apiKey;
      options.addApiKey(() -> k);
    }
    if (serverName != null) {
      String name = serverName;
      options.setChannelInitializer(channel -> channel.overrideAuthority(name));
    }
  }

  /** The client TLS context: the CA (or the JVM's), the client certificate and key when given. */
  SslContext sslContext() {
    SslContextBuilder builder = GrpcSslContexts.forClient();
    if (ca != null) {
      try {
        builder.trustManager(ca.toFile());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "cannot read the Temporal CA certificate --temporal-ca "
                + ca
                + ": "
                + rootMessage(e)
                + "; it must be a readable PEM file (BEGIN CERTIFICATE)",
            e);
      }
    }
    if (cert != null) {
      try {
        builder.keyManager(cert.toFile(), key.toFile());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "cannot read the Temporal client certificate --temporal-cert "
                + cert
                + " or its key --temporal-key "
                + key
                + ": "
                + rootMessage(e)
                + "; both must be readable PEM files, the key in PKCS#8 (BEGIN PRIVATE KEY:"
                + " convert with `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.p8.pem`)",
            e);
      }
    }
    try {
      return builder.build();
    } catch (SSLException e) {
      throw new IllegalArgumentException(
          "cannot set up TLS to Temporal with " + this + ": " + rootMessage(e), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  private static Path path(String s) {
    String p = blankToNull(s);
    return p == null ? null : Path.of(p);
  }

  /** The settings, the API key hidden: safe for logs and messages. */
  @Override
  public String toString() {
    if (isPlaintext()) {
      return "plaintext";
    }
    StringBuilder b = new StringBuilder("TLS");
    b.append(ca == null ? " (JVM trusted CAs)" : " (CA " + ca + ")");
    if (cert != null) {
      b.append(", client certificate ").append(cert);
    }
    if (serverName != null) {
      b.append(", server name ").append(serverName);
    }
    if (apiKey != null) {
      b.append(", API key ****");
    }
    return b.toString();
  }
}
