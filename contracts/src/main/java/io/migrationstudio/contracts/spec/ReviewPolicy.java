package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.migrationstudio.contracts.Stage;
import java.util.List;

/**
 * The gate of each stage and how reviewers prove who they are. Gate defaults: assessment auto,
 * mapping ask, migrate ask, validation ask, cutover external, decommission ask (after the
 * hypercare: it drops the capture and the studio schema). {@code identity} defaults to {@link
 * ReviewIdentity#SSH}: approvers' public keys are listed in {@code signers} (allowed-signers lines,
 * {@code alice ssh-ed25519 AAAA...}) and/or in the file {@code allowed_signers} (same form; a path
 * relative to the spec is resolved when the spec file is read).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReviewPolicy(
    GateMode assessment,
    GateMode mapping,
    GateMode migrate,
    GateMode validation,
    GateMode cutover,
    ReviewIdentity identity,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> signers,
    @JsonProperty("allowed_signers") String allowedSigners,
    GateMode decommission) {
  public ReviewPolicy {
    assessment = assessment == null ? GateMode.AUTO : assessment;
    mapping = mapping == null ? GateMode.ASK : mapping;
    migrate = migrate == null ? GateMode.ASK : migrate;
    validation = validation == null ? GateMode.ASK : validation;
    cutover = cutover == null ? GateMode.EXTERNAL : cutover;
    identity = identity == null ? ReviewIdentity.SSH : identity;
    signers = signers == null ? List.of() : List.copyOf(signers);
    decommission = decommission == null ? GateMode.ASK : decommission;
  }

  public static ReviewPolicy defaults() {
    return new ReviewPolicy(null, null, null, null, null, null, null, null, null);
  }

  public GateMode gate(Stage stage) {
    return switch (stage) {
      case ASSESSMENT -> assessment;
      case MAPPING -> mapping;
      case MIGRATE -> migrate;
      case VALIDATION -> validation;
      case CUTOVER -> cutover;
      case DECOMMISSION -> decommission;
    };
  }

  /** Whether human reviews must be signed. */
  public boolean signed() {
    return identity == ReviewIdentity.SSH;
  }

  /** A copy with the given stage's gate replaced. */
  public ReviewPolicy with(Stage stage, GateMode mode) {
    return new ReviewPolicy(
        stage == Stage.ASSESSMENT ? mode : assessment,
        stage == Stage.MAPPING ? mode : mapping,
        stage == Stage.MIGRATE ? mode : migrate,
        stage == Stage.VALIDATION ? mode : validation,
        stage == Stage.CUTOVER ? mode : cutover,
        identity,
        signers,
        allowedSigners,
        stage == Stage.DECOMMISSION ? mode : decommission);
  }

  /** A copy with another {@code identity}. */
  public ReviewPolicy withIdentity(ReviewIdentity newIdentity) {
    return new ReviewPolicy(
        assessment,
        mapping,
        migrate,
        validation,
        cutover,
        newIdentity,
        signers,
        allowedSigners,
        decommission);
  }

  /** A copy with other inline {@code signers}. */
  public ReviewPolicy withSigners(List<String> newSigners) {
    return new ReviewPolicy(
        assessment,
        mapping,
        migrate,
        validation,
        cutover,
        identity,
        newSigners,
        allowedSigners,
        decommission);
  }
}
