package io.migrationstudio.studio;

import io.migrationstudio.workflow.TemporalAccess;
import java.nio.file.Path;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * How {@code studio server --temporal} and {@code studio worker} connect to a real Temporal: TLS,
 * mTLS and an API key. An option not given falls back to Temporal's own client environment variable
 * (the names the {@code temporal} CLI and SDKs read), so a systemd unit or container can set them
 * once in an environment file; the API key is never an argument (arguments are visible to every
 * user of the machine): {@code --temporal-api-key-file} or {@code TEMPORAL_API_KEY}.
 */
final class TemporalOptions {
  @Option(
      names = "--temporal-tls",
      description =
          "TLS to Temporal (implied by the options below and by an API key; env "
              + TemporalAccess.TLS_ENV
              + "=true)")
  boolean tls;

  @Option(
      names = "--temporal-ca",
      paramLabel = "FILE",
      description =
          "PEM CA of the Temporal frontend's certificate (default: the JVM's trusted CAs; env "
              + TemporalAccess.CA_ENV
              + ")")
  Path ca;

  @Option(
      names = "--temporal-cert",
      paramLabel = "FILE",
      description = "PEM client certificate for mTLS (env " + TemporalAccess.CERT_ENV + ")")
  Path cert;

  @Option(
      names = "--temporal-key",
      paramLabel = "FILE",
      description =
          "PEM PKCS#8 private key of --temporal-cert (env " + TemporalAccess.KEY_ENV + ")")
  Path key;

  @Option(
      names = "--temporal-tls-server-name",
      paramLabel = "NAME",
      description =
          "the name in the frontend's certificate when it is not the host of --temporal (env "
              + TemporalAccess.SERVER_NAME_ENV
              + ")")
  String serverName;

  @Option(
      names = "--temporal-api-key-file",
      paramLabel = "FILE",
      description =
          "file holding a Temporal Cloud API key, sent as `authorization: Bearer` over TLS (env "
              + TemporalAccess.API_KEY_ENV
              + " holds the key itself)")
  Path apiKeyFile;

  /** Whether any of these options was given on the command line. */
  boolean anyGiven() {
    return tls
        || ca != null
        || cert != null
        || key != null
        || serverName != null
        || apiKeyFile != null;
  }

  /** The options given, each missing one taken from {@code env} (Temporal's variable names). */
  TemporalAccess access(Function<String, String> env) {
    TemporalAccess fromEnv = TemporalAccess.fromEnvironment(env);
    return new TemporalAccess(
        tls || fromEnv.tls(),
        ca != null ? ca : fromEnv.ca(),
        cert != null ? cert : fromEnv.cert(),
        key != null ? key : fromEnv.key(),
        serverName != null ? serverName : fromEnv.serverName(),
        apiKeyFile != null ? TemporalAccess.readApiKey(apiKeyFile) : fromEnv.apiKey());
  }

  /**
   * The Temporal frontend: {@code option} when given, else {@value TemporalAccess#ADDRESS_ENV},
   * else {@code fallback}.
   */
  static String address(String option, Function<String, String> env, String fallback) {
    if (option != null && !option.isBlank()) {
      return option.strip();
    }
    String fromEnv = env.apply(TemporalAccess.ADDRESS_ENV);
    return fromEnv == null || fromEnv.isBlank() ? fallback : fromEnv.strip();
  }

  /**
   * The namespace: {@code option} when given, else {@value TemporalAccess#NAMESPACE_ENV}, else
   * {@code default}.
   */
  static String namespace(String option, Function<String, String> env) {
    if (option != null && !option.isBlank()) {
      return option.strip();
    }
    String fromEnv = env.apply(TemporalAccess.NAMESPACE_ENV);
    return fromEnv == null || fromEnv.isBlank() ? "default" : fromEnv.strip();
  }
}
