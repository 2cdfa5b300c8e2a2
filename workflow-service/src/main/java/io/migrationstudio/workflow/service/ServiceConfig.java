package io.migrationstudio.workflow.service;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import io.migrationstudio.workflow.OperatorSecurity;
import java.nio.file.Path;

/**
 * Configuration of the workflow service ({@code studio.service.*}).
 *
 * @param home the studio home holding the artifact repository (default {@code .studio})
 * @param gitRemote the artifact repository's remote (default: a bare repository in the home)
 * @param temporal the Temporal frontend, {@code host:port} (default {@code 127.0.0.1:7233})
 * @param apiPort the gRPC operator API port, 0 for any free port (default 7234)
 * @param bindAddress the address the operator API listens on (default {@code 127.0.0.1}, this
 *     machine only; another address needs TLS and a token, or {@code insecure})
 * @param embeddedTemporal whether Temporal is the in-process test server, which needs sticky queues
 *     off (default true)
 * @param namespace the Temporal namespace the service works in (default {@code default})
 * @param tlsCert PEM certificate of the operator API (with {@code tlsKey}; default: plaintext)
 * @param tlsKey PEM private key (PKCS#8) of {@code tlsCert}
 * @param tlsClientCa PEM CA whose client certificates the operator API requires (default: none)
 * @param apiTokenFile file with the token every mutating operator API call must carry (default:
 *     none)
 * @param insecure serve a non-loopback {@code bindAddress} without TLS and a token anyway (default
 *     false: refused)
 */
@ConfigurationProperties("studio.service")
public record ServiceConfig(
    @Bindable(defaultValue = ".studio") String home,
    @Nullable String gitRemote,
    @Bindable(defaultValue = "127.0.0.1:7233") String temporal,
    @Bindable(defaultValue = "7234") int apiPort,
    @Bindable(defaultValue = "127.0.0.1") String bindAddress,
    @Bindable(defaultValue = "true") boolean embeddedTemporal,
    @Bindable(defaultValue = "default") String namespace,
    @Nullable String tlsCert,
    @Nullable String tlsKey,
    @Nullable String tlsClientCa,
    @Nullable String apiTokenFile,
    @Bindable(defaultValue = "false") boolean insecure) {

  /** The operator API's TLS and token settings. */
  public OperatorSecurity operatorSecurity() {
    return new OperatorSecurity(
        path(tlsCert), path(tlsKey), path(tlsClientCa), path(apiTokenFile), insecure);
  }

  private static Path path(String s) {
    return s == null || s.isBlank() ? null : Path.of(s.strip());
  }
}
