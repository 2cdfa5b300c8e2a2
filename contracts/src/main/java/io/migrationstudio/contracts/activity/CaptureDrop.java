package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.spec.MigrationSpec;
import java.util.Objects;

/**
 * Drop the change capture of a migration that ended ({@code reason}: finished, failed, rejected,
 * cancelled): the slot and publication, so no orphan slot keeps the source's WAL.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CaptureDrop(String migrationId, MigrationSpec spec, String capture, String reason) {
  public CaptureDrop {
    Objects.requireNonNull(migrationId, "migrationId is required");
    Objects.requireNonNull(spec, "spec is required");
    Objects.requireNonNull(capture, "capture is required");
  }
}
