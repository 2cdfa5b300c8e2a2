package io.migrationstudio.studio;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.okhttp.OkHttpChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.migrationstudio.workflow.OperatorSecurity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * How a client command reaches the operator API of a {@code studio server}: plaintext (the default,
 * for a server on this machine), or TLS with the server's CA and, when the server requires one, a
 * client certificate; and the token of mutating calls, from {@code --api-token-file} or the
 * environment variable {@value #TOKEN_ENV} (never an argument: arguments are visible to every user
 * of the machine).
 */
final class ApiClientOptions {
  /** Environment variable with the operator API token, when no --api-token-file is given. */
  static final String TOKEN_ENV = "STUDIO_API_TOKEN";

  /**
   * Environment variable: {@code netty} makes a plaintext client use gRPC's Netty transport instead
   * of its OkHttp transport (TLS always uses Netty).
   */
  static final String TRANSPORT_ENV = "STUDIO_CLIENT_TRANSPORT";

  @Option(names = "--tls", description = "TLS to the operator API, checked with the JVM's CAs")
  boolean tls;

  @Option(
      names = "--tls-ca",
      paramLabel = "FILE",
      description = "TLS to the operator API, its certificate checked with this PEM CA")
  Path ca;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = "PEM client certificate, for a server that requires one (--tls-client-ca)")
  Path cert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM PKCS#8 key of --tls-cert")
  Path key;

  @Option(
      names = "--api-token-file",
      paramLabel = "FILE",
      description =
          "file holding the server's token, sent with every call (default: env " + TOKEN_ENV + ")")
  Path tokenFile;

  /**
   * A channel to {@code target} with the TLS and token asked for (token from {@code env}):
   * plaintext through gRPC's OkHttp transport (a client command loads about half the classes it
   * loads with Netty, issue 17), TLS through the Netty transport as the server uses it.
   */
  ManagedChannel channel(String target, Function<String, String> env) {
    ChannelCredentials credentials = credentials();
    ManagedChannel channel =
        credentials instanceof InsecureChannelCredentials
                && !"netty".equals(env.apply(TRANSPORT_ENV))
            ? OkHttpChannelBuilder.forTarget(target, credentials).build()
            : Grpc.newChannelBuilder(target, credentials).build();
    String token =
        tokenFile != null
            ? OperatorSecurity.readToken(tokenFile, "--api-token-file")
            : blankToNull(env.apply(TOKEN_ENV));
    if (token == null) {
      return channel;
    }
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    ClientInterceptor bearer = MetadataUtils.newAttachHeadersInterceptor(headers);
    return new TokenChannel(channel, ClientInterceptors.intercept(channel, bearer));
  }

  ManagedChannel channel(String target) {
    return channel(target, System::getenv);
  }

  private ChannelCredentials credentials() {
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException(
          "a client certificate needs --tls-cert and --tls-key together, got only "
              + (cert == null ? "--tls-key " + key : "--tls-cert " + cert));
    }
    if (!tls && ca == null && cert == null) {
      return InsecureChannelCredentials.create();
    }
    try {
      TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
      if (ca != null) {
        b.trustManager(ca.toFile());
      }
      if (cert != null) {
        b.keyManager(cert.toFile(), key.toFile());
      }
      return b.build();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot read the TLS files of the operator API client ("
              + (ca == null ? "" : "--tls-ca " + ca + " ")
              + (cert == null ? "" : "--tls-cert " + cert + " --tls-key " + key)
              + "): "
              + e.getMessage(),
          e);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  /** A managed channel whose calls carry the token; shutting it down shuts the real one down. */
  private static final class TokenChannel extends ManagedChannel {
    private final ManagedChannel delegate;
    private final io.grpc.Channel intercepted;

    TokenChannel(ManagedChannel delegate, io.grpc.Channel intercepted) {
      this.delegate = delegate;
      this.intercepted = intercepted;
    }

    @Override
    public <Q, R> io.grpc.ClientCall<Q, R> newCall(
        io.grpc.MethodDescriptor<Q, R> method, io.grpc.CallOptions options) {
      return intercepted.newCall(method, options);
    }

    @Override
    public String authority() {
      return delegate.authority();
    }

    @Override
    public ManagedChannel shutdown() {
      delegate.shutdown();
      return this;
    }

    @Override
    public boolean isShutdown() {
      return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return delegate.isTerminated();
    }

    @Override
    public ManagedChannel shutdownNow() {
      delegate.shutdownNow();
      return this;
    }

    @Override
    public boolean awaitTermination(long timeout, java.util.concurrent.TimeUnit unit)
        throws InterruptedException {
      return delegate.awaitTermination(timeout, unit);
    }
  }
}
