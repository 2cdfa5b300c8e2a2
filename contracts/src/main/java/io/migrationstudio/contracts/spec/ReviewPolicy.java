package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.Stage;

/**
 * The gate of each stage. Defaults: assessment auto, mapping ask, migrate ask, validation ask,
 * cutover external.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReviewPolicy(
    GateMode assessment,
    GateMode mapping,
    GateMode migrate,
    GateMode validation,
    GateMode cutover) {
  public ReviewPolicy {
    assessment = assessment == null ? GateMode.AUTO : assessment;
    mapping = mapping == null ? GateMode.ASK : mapping;
    migrate = migrate == null ? GateMode.ASK : migrate;
    validation = validation == null ? GateMode.ASK : validation;
    cutover = cutover == null ? GateMode.EXTERNAL : cutover;
  }

  public static ReviewPolicy defaults() {
    return new ReviewPolicy(null, null, null, null, null);
  }

  public GateMode gate(Stage stage) {
    return switch (stage) {
      case ASSESSMENT -> assessment;
      case MAPPING -> mapping;
      case MIGRATE -> migrate;
      case VALIDATION -> validation;
      case CUTOVER -> cutover;
    };
  }

  /** A copy with the given stage's gate replaced. */
  public ReviewPolicy with(Stage stage, GateMode mode) {
    return new ReviewPolicy(
        stage == Stage.ASSESSMENT ? mode : assessment,
        stage == Stage.MAPPING ? mode : mapping,
        stage == Stage.MIGRATE ? mode : migrate,
        stage == Stage.VALIDATION ? mode : validation,
        stage == Stage.CUTOVER ? mode : cutover);
  }
}
