package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.spec.MigrationSpec;
import java.util.Objects;

/**
 * The workflow input. {@code specText} is the operator's file as written (committed verbatim as
 * {@code migration.yaml}); when absent (a start from Temporal UI with JSON), the spec is rendered
 * canonically.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MigrationInput(MigrationSpec spec, String specText) {
  public MigrationInput {
    Objects.requireNonNull(spec, "spec is required");
  }
}
