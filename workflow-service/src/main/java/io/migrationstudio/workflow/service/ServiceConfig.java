package io.migrationstudio.workflow.service;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Configuration of the workflow service ({@code studio.service.*}).
 *
 * @param home the studio home holding the artifact repository (default {@code .studio})
 * @param gitRemote the artifact repository's remote (default: a bare repository in the home)
 * @param temporal the Temporal frontend, {@code host:port} (default {@code 127.0.0.1:7233})
 * @param apiPort the gRPC operator API port, 0 for any free port (default 7234)
 * @param bindAddress the address the operator API listens on (default {@code 127.0.0.1}, this
 *     machine only: the API has no authentication; {@code 0.0.0.0} exposes it to the network)
 * @param embeddedTemporal whether Temporal is the in-process test server, which needs sticky queues
 *     off (default true)
 * @param namespace the Temporal namespace the service works in (default {@code default})
 */
@ConfigurationProperties("studio.service")
public record ServiceConfig(
    @Bindable(defaultValue = ".studio") String home,
    @Nullable String gitRemote,
    @Bindable(defaultValue = "127.0.0.1:7233") String temporal,
    @Bindable(defaultValue = "7234") int apiPort,
    @Bindable(defaultValue = "127.0.0.1") String bindAddress,
    @Bindable(defaultValue = "true") boolean embeddedTemporal,
    @Bindable(defaultValue = "default") String namespace) {}
