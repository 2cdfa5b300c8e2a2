package io.migrationstudio.workflow.service;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.core.annotation.Nullable;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.workflow.DriveLocks;
import io.migrationstudio.workflow.OperatorService;
import io.migrationstudio.workflow.TemporalAccess;
import io.migrationstudio.workflow.TemporalConnection;
import jakarta.inject.Singleton;
import java.nio.file.Path;

/** Builds the Temporal client, the artifact store and the operator service from configuration. */
@Factory
class ServiceFactory {
  @Singleton
  @Bean(preDestroy = "close")
  TemporalConnection temporal(ServiceConfig config, @Nullable TemporalAccess access) {
    // studio server registers the access of its command line; on its own, the service takes
    // Temporal's client environment variables (TEMPORAL_TLS*, TEMPORAL_API_KEY)
    TemporalAccess a =
        access != null
            ? access
            : config.embeddedTemporal()
                ? TemporalAccess.PLAINTEXT
                : TemporalAccess.fromEnvironment(System::getenv);
    return TemporalConnection.connect(config.temporal(), config.namespace(), a);
  }

  @Singleton
  @Bean(preDestroy = "close")
  GitArtifactStore artifactStore(ServiceConfig config) {
    return GitArtifactStore.open(Path.of(config.home()), config.gitRemote());
  }

  @Singleton
  OperatorService operator(
      TemporalConnection temporal, GitArtifactStore store, @Nullable DriveLocks locks) {
    // studio server and studio run register their locks: whoever starts a migration drives it
    return new OperatorService(temporal.client(), store, locks);
  }
}
