package io.migrationstudio.core.assess;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.assess.Risk.Category;
import io.migrationstudio.core.assess.Risk.Likelihood;
import io.migrationstudio.core.assess.Risk.Severity;
import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.mapping.ScopeFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Checks of the migration as an operation: its scope and whether its gates can open. */
final class OperationalChecks {
  private OperationalChecks() {}

  static final RiskCheck EMPTY_SCOPE =
      CatalogCheck.of(
          "empty-scope",
          Category.OPERATIONAL,
          "No table of the source schema is in scope: the migration would copy nothing.",
          "Check source.schema and the scope include/exclude patterns (case-sensitive), then"
              + " re-run.",
          OperationalChecks::emptyScope);

  static final RiskCheck NO_APPROVERS =
      CatalogCheck.of(
          "no-approvers-for-external-gate",
          Category.OPERATIONAL,
          "A gate no one may open: external without the stage's approvers, or ask without any.",
          "List approvers under approvers.<stage> (or approvers.default for ask), or change the"
              + " gate mode.",
          OperationalChecks::gates);

  static final RiskCheck SOURCE_NOT_FULLY_READABLE =
      new CatalogCheck(
          "source-not-fully-readable",
          Category.DATA_LOSS,
          "The source user cannot read every table of the schema (or cannot list them): those"
              + " tables would be left out.",
          "Grant the source user the privileges README.md lists for its engine (PostgreSQL: USAGE"
              + " on the schema and SELECT on every table; MariaDB: SELECT, SHOW VIEW on the"
              + " database), or exclude the tables from the scope.",
          c ->
              c.probe().isPresent()
                  ? Optional.empty()
                  : Optional.of("needs a probe on the source: " + c.sourceProbeMissing()),
          OperationalChecks::sourceReadable);

  private static List<Risk> sourceReadable(RiskContext c) {
    Optional<DataProbe.Readability> readability = c.probe().orElseThrow().readability();
    if (readability.isEmpty()) {
      return List.of();
    }
    ScopeFilter scope = ScopeFilter.of(c.spec().scope());
    List<String> unreadable =
        readability.get().unreadable().stream().filter(scope).sorted().toList();
    String unlisted = readability.get().unlisted();
    if (unreadable.isEmpty() && unlisted == null) {
      return List.of();
    }
    String schema = c.inventory().schema();
    List<String> objects = unreadable.isEmpty() ? List.of(schema) : unreadable;
    String detail =
        (unreadable.isEmpty()
                ? ""
                : unreadable.size()
                    + " table(s) of "
                    + schema
                    + " exist but the source user cannot read them: "
                    + String.join(", ", unreadable)
                    + ". They are not in the inventory, so Migrate and Validation would leave"
                    + " them out without a word. ")
            + (unlisted == null
                ? ""
                : "Tables may be missing from the inventory: " + unlisted + ".");
    return List.of(
        Risk.of(
            "source-not-fully-readable",
            Category.DATA_LOSS,
            Severity.CRITICAL,
            Likelihood.HIGH,
            "The source user cannot read every table in scope",
            objects,
            detail.trim(),
            "Grant the missing privileges (README.md, \"Privileges\"): PostgreSQL USAGE on the"
                + " schema and SELECT on the tables, MariaDB SELECT and SHOW VIEW on the whole"
                + " database; or exclude the tables from scope.include/exclude; then re-run the"
                + " assessment."));
  }

  private static List<Risk> emptyScope(RiskContext c) {
    if (!c.inventory().tables().isEmpty()) {
      return List.of();
    }
    MigrationSpec spec = c.spec();
    return List.of(
        Risk.of(
            "empty-scope",
            Category.OPERATIONAL,
            Severity.CRITICAL,
            Likelihood.HIGH,
            "No table of the source is in scope",
            List.of(c.inventory().schema()),
            "Schema "
                + c.inventory().schema()
                + " has no table matching scope include "
                + spec.scope().include()
                + " exclude "
                + spec.scope().exclude()
                + " (patterns are case-sensitive). Migrating would copy nothing.",
            "Check source.schema and the scope patterns in the spec, then re-run the assessment."));
  }

  private static List<Risk> gates(RiskContext c) {
    MigrationSpec spec = c.spec();
    List<Risk> risks = new ArrayList<>();
    for (Stage stage : Stage.values()) {
      GateMode mode = spec.reviews().gate(stage);
      boolean own = !spec.approvers().forStage(stage).isEmpty();
      boolean any = own || !spec.approvers().defaults().isEmpty();
      boolean blocked = (mode == GateMode.EXTERNAL && !own) || (mode == GateMode.ASK && !any);
      if (!blocked) {
        continue;
      }
      risks.add(
          Risk.of(
              "no-approvers-for-external-gate",
              Category.OPERATIONAL,
              Severity.HIGH,
              Likelihood.HIGH,
              "The " + stage.key() + " gate can never open",
              List.of("reviews." + stage.key()),
              "Gate "
                  + mode.key()
                  + " of stage "
                  + stage.key()
                  + (mode == GateMode.EXTERNAL
                      ? " accepts only approvers listed under approvers."
                          + stage.key()
                          + ", and none is listed"
                      : " needs an approver under approvers."
                          + stage.key()
                          + " or approvers.default, and none is listed")
                  + ": the migration would wait there forever.",
              "List approvers under approvers."
                  + stage.key()
                  + (mode == GateMode.ASK ? " or approvers.default" : "")
                  + ", or set reviews."
                  + stage.key()
                  + " to auto, then restart the migration with the corrected spec."));
    }
    return risks;
  }
}
