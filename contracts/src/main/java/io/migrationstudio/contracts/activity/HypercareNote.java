package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.workflow.ArtifactRef;
import java.util.List;

/**
 * A committed hypercare note: its files ({@code 06-hypercare/hypercare-YYYY-MM-DD.{md,json}}) at
 * the commit that holds them, the residual access it found on the source (the studio's own sessions
 * left out), whether the source's write guards were all still in place, and a one-line summary.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HypercareNote(
    String commit,
    List<ArtifactRef> artifacts,
    List<ResidualSession> residual,
    boolean frozen,
    long sampledAtMillis,
    String summary) {
  public HypercareNote {
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
    residual = residual == null ? List.of() : List.copyOf(residual);
    summary = summary == null ? "" : summary;
  }
}
