package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Objects;

/** A file on the migration branch at a commit: what activities return instead of payloads. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ArtifactRef(String path, String commit) {
  public ArtifactRef {
    Objects.requireNonNull(path, "artifact path is required");
  }
}
