package io.migrationstudio.workflow.service;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.workflow.OperatorService;
import io.migrationstudio.workflow.TemporalConnection;
import jakarta.inject.Singleton;
import java.nio.file.Path;

/** Builds the Temporal client, the artifact store and the operator service from configuration. */
@Factory
class ServiceFactory {
  @Singleton
  @Bean(preDestroy = "close")
  TemporalConnection temporal(ServiceConfig config) {
    return TemporalConnection.connect(config.temporal(), config.namespace());
  }

  @Singleton
  @Bean(preDestroy = "close")
  GitArtifactStore artifactStore(ServiceConfig config) {
    return GitArtifactStore.open(Path.of(config.home()), config.gitRemote());
  }

  @Singleton
  OperatorService operator(TemporalConnection temporal, GitArtifactStore store) {
    return new OperatorService(temporal.client(), store);
  }
}
