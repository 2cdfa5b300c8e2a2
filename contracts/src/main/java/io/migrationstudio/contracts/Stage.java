package io.migrationstudio.contracts;

import java.util.Locale;

/**
 * The stages of a migration, in the order the workflow runs them. {@link #DECOMMISSION} follows the
 * executed cutover's hypercare ({@code cutover.hypercare}); it is not run when the hypercare is
 * {@code PT0S}.
 */
public enum Stage {
  ASSESSMENT("01-assessment", "inventory", "risk-assessor"),
  MAPPING("02-mapping", "schema-mapper", "compatibility-reviewer"),
  MIGRATE("03-migrate", "migration-engineer", "integration-tester"),
  VALIDATION("04-validation", "validator", "regression-tester"),
  CUTOVER("05-cutover", "cutover-coordinator", "rollback-engineer"),
  DECOMMISSION("07-decommission", "cutover-coordinator", "rollback-engineer");

  private final String directory;
  private final String producerRole;
  private final String checkerRole;

  Stage(String directory, String producerRole, String checkerRole) {
    this.directory = directory;
    this.producerRole = producerRole;
    this.checkerRole = checkerRole;
  }

  /** The folder on the migration branch that holds this stage's artifacts. */
  public String directory() {
    return directory;
  }

  /** The git author of the producer's commits. */
  public String producerRole() {
    return producerRole;
  }

  /** The git author of the checker's commits. */
  public String checkerRole() {
    return checkerRole;
  }

  /** The key used in specs and CLIs: {@code assessment}, {@code mapping}, ... */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a spec or CLI key, case-insensitively. */
  public static Stage fromKey(String key) {
    for (Stage s : values()) {
      if (s.key().equalsIgnoreCase(key == null ? "" : key.trim())) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown stage '"
            + key
            + "': expected one of assessment, mapping, migrate, validation, cutover, decommission");
  }
}
