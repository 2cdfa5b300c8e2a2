package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * The operator's input, {@code migration.yaml}. Plain, JSON-friendly records, so a migration can be
 * started from Temporal UI with the spec as JSON. Validation that lists every problem happens in
 * {@code SpecLoader} (migration-core) before a record is built; the constructor only fills defaults
 * and guards the invariants the workflow relies on.
 *
 * <p>One constructor only (the canonical one) and {@code with*} copies that go through it: a
 * shorter "compatibility" constructor once dropped {@code assessment:} on every run. {@code
 * RecordCopiesTest} checks that every {@code with*} keeps every other component.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "id",
  "title",
  "source",
  "target",
  "scope",
  "mapping",
  "migrate",
  "validation",
  "cutover",
  "reviews",
  "approvers",
  "assessment"
})
public record MigrationSpec(
    String id,
    String title,
    ConnectionSpec source,
    ConnectionSpec target,
    ScopeSpec scope,
    MappingOptions mapping,
    MigrateOptions migrate,
    ValidationOptions validation,
    CutoverOptions cutover,
    ReviewPolicy reviews,
    Approvers approvers,
    AssessmentOptions assessment) {

  public MigrationSpec {
    Objects.requireNonNull(id, "spec.id is required");
    Objects.requireNonNull(source, "spec.source is required");
    Objects.requireNonNull(target, "spec.target is required");
    title = title == null ? id : title;
    scope = scope == null ? ScopeSpec.all() : scope;
    mapping = mapping == null ? MappingOptions.defaults() : mapping;
    migrate = migrate == null ? MigrateOptions.defaults() : migrate;
    validation = validation == null ? ValidationOptions.defaults() : validation;
    cutover = cutover == null ? CutoverOptions.defaults() : cutover;
    reviews = reviews == null ? ReviewPolicy.defaults() : reviews;
    approvers = approvers == null ? new Approvers() : approvers;
    assessment = assessment == null ? AssessmentOptions.defaults() : assessment;
  }

  /** A copy with other Migrate options (another {@code migrate.strategy}, a throttle). */
  public MigrationSpec withMigrate(MigrateOptions newMigrate) {
    return new MigrationSpec(
        id,
        title,
        source,
        target,
        scope,
        mapping,
        newMigrate,
        validation,
        cutover,
        reviews,
        approvers,
        assessment);
  }

  /** A copy with other review gates (for {@code --auto-approve}). */
  public MigrationSpec withReviews(ReviewPolicy newReviews) {
    return new MigrationSpec(
        id,
        title,
        source,
        target,
        scope,
        mapping,
        migrate,
        validation,
        cutover,
        newReviews,
        approvers,
        assessment);
  }

  /** A copy with other cutover options (the workflow pins {@code cutover.rollback}). */
  public MigrationSpec withCutover(CutoverOptions newCutover) {
    return new MigrationSpec(
        id,
        title,
        source,
        target,
        scope,
        mapping,
        migrate,
        validation,
        newCutover,
        reviews,
        approvers,
        assessment);
  }

  /**
   * Whether the cutover starts a reverse stream at the switch ({@code cutover.rollback}): as the
   * spec says, else {@code reverse} for an online migration from PostgreSQL or MariaDB (the engines
   * with a reverse applier; the target is always PostgreSQL; the Mapping review fails a mapping
   * that cannot be inverted), {@code none} otherwise (MySQL has no session {@code server_id} to tag
   * the applier's writes with).
   */
  public boolean reverseReplication() {
    String asked = cutover.rollback();
    if (asked != null) {
      return CutoverOptions.ROLLBACK_REVERSE.equals(asked);
    }
    String url = source.url();
    return migrate.online()
        && url != null
        && (url.startsWith("jdbc:postgresql:") || url.startsWith("jdbc:mariadb:"));
  }
}
