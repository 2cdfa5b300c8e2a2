package io.migrationstudio.core.assess;

import io.migrationstudio.core.assess.Risk.Category;
import io.migrationstudio.core.assess.Risk.Likelihood;
import io.migrationstudio.core.assess.Risk.Severity;
import io.migrationstudio.core.dialect.IdentifierRules;
import io.migrationstudio.core.schema.CheckConstraint;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.SequenceInfo;
import io.migrationstudio.core.schema.TableInfo;
import io.migrationstudio.core.schema.ViewInfo;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Checks of names against the target engine's {@link IdentifierRules}: too long, reserved, or
 * needing quotes. Skipped when the target's dialect declares no rules. Each raises at most one risk
 * listing every affected name (sorted), so the report stays readable on wide schemas.
 */
final class IdentifierChecks {
  private IdentifierChecks() {}

  static final RiskCheck TOO_LONG =
      new CatalogCheck(
          "identifier-too-long",
          Category.COMPATIBILITY,
          "A name is longer than the target keeps (63 bytes in PostgreSQL): truncated, may"
              + " collide.",
          "Rename it in mapping.yaml (overrides) to a name within the limit, unique after"
              + " truncation.",
          IdentifierChecks::noRules,
          c -> tooLong(c, c.targetRules().orElseThrow()));

  static final RiskCheck RESERVED_WORD =
      new CatalogCheck(
          "reserved-word-identifier",
          Category.COMPATIBILITY,
          "A table, column or view is named by a reserved word of the target (e.g. user, order).",
          "Keep it (the studio quotes names) and quote it in every hand-written query, or rename it"
              + " in mapping.yaml.",
          IdentifierChecks::noRules,
          c -> reserved(c, c.targetRules().orElseThrow()));

  static final RiskCheck NEEDS_QUOTING =
      new CatalogCheck(
          "identifier-needs-quoting",
          Category.COMPATIBILITY,
          "A name only works quoted on the target (upper case, spaces, quotes, non-ASCII).",
          "Keep it (the copy is safe) or rename with mapping.naming snake_case; review queries"
              + " using it unquoted.",
          IdentifierChecks::noRules,
          c -> quoting(c, c.targetRules().orElseThrow()));

  private static Optional<String> noRules(RiskContext c) {
    return c.targetRules().isPresent()
        ? Optional.empty()
        : Optional.of("target engine " + c.targetEngine() + " declares no identifier rules");
  }

  /** Every name the target will create: tables, columns, constraints, indexes, views, sequences. */
  private static Set<String> allNames(Inventory inv, Predicate<String> test) {
    Set<String> hits = new TreeSet<>();
    for (TableInfo t : inv.tables()) {
      add(hits, test, t.name(), t.name());
      for (Column c : t.columns()) {
        add(hits, test, c.name(), CheckSupport.object(t, c));
      }
      if (t.primaryKey() != null) {
        add(hits, test, t.primaryKey().name(), CheckSupport.object(t, t.primaryKey().name()));
      }
      for (KeyConstraint k : t.uniqueKeys()) {
        add(hits, test, k.name(), CheckSupport.object(t, k.name()));
      }
      for (ForeignKey fk : t.foreignKeys()) {
        add(hits, test, fk.name(), CheckSupport.object(t, fk.name()));
      }
      for (CheckConstraint ck : t.checks()) {
        add(hits, test, ck.name(), CheckSupport.object(t, ck.name()));
      }
      for (IndexInfo i : t.indexes()) {
        add(hits, test, i.name(), CheckSupport.object(t, i.name()));
      }
    }
    inv.views().stream().map(ViewInfo::name).forEach(n -> add(hits, test, n, n));
    inv.sequences().stream().map(SequenceInfo::name).forEach(n -> add(hits, test, n, n));
    return hits;
  }

  /** Tables, columns and views: the names applications write in queries. */
  private static Set<String> queriedNames(Inventory inv, Predicate<String> test) {
    Set<String> hits = new TreeSet<>();
    for (TableInfo t : inv.tables()) {
      add(hits, test, t.name(), t.name());
      for (Column c : t.columns()) {
        add(hits, test, c.name(), CheckSupport.object(t, c));
      }
    }
    inv.views().stream().map(ViewInfo::name).forEach(n -> add(hits, test, n, n));
    return hits;
  }

  private static void add(Set<String> hits, Predicate<String> test, String name, String object) {
    if (name != null && test.test(name)) {
      hits.add(object);
    }
  }

  private static List<Risk> tooLong(RiskContext c, IdentifierRules rules) {
    Set<String> hits = allNames(c.inventory(), rules::tooLong);
    if (hits.isEmpty()) {
      return List.of();
    }
    return List.of(
        Risk.of(
            "identifier-too-long",
            Category.COMPATIBILITY,
            Severity.HIGH,
            Likelihood.HIGH,
            "Names longer than the target keeps",
            List.copyOf(hits),
            hits.size()
                + " names exceed "
                + rules.maxBytes()
                + " bytes (UTF-8) on "
                + c.targetEngine()
                + ": the target truncates them silently, so two names sharing their first "
                + rules.maxBytes()
                + " bytes collide and queries using the full name miss.",
            "Give each a shorter unique name with overrides in mapping.yaml (table and column"
                + " renames), and update the applications that use them."));
  }

  private static List<Risk> reserved(RiskContext c, IdentifierRules rules) {
    Set<String> hits = queriedNames(c.inventory(), rules::reserved);
    if (hits.isEmpty()) {
      return List.of();
    }
    return List.of(
        Risk.of(
            "reserved-word-identifier",
            Category.COMPATIBILITY,
            Severity.LOW,
            Likelihood.MEDIUM,
            "Names are reserved words of the target",
            List.copyOf(hits),
            hits.size()
                + " names are reserved words on "
                + c.targetEngine()
                + ". The studio quotes every name, but an unquoted use in hand-written SQL, views,"
                + " routines or tools is a syntax error there.",
            "Keep them and quote them in every query (\"user\"), or rename them with overrides in"
                + " mapping.yaml; search the applications for unquoted uses."));
  }

  private static List<Risk> quoting(RiskContext c, IdentifierRules rules) {
    Set<String> hits =
        queriedNames(c.inventory(), n -> rules.needsQuoting(n) && !rules.reserved(n));
    if (hits.isEmpty()) {
      return List.of();
    }
    return List.of(
        Risk.of(
            "identifier-needs-quoting",
            Category.COMPATIBILITY,
            Severity.LOW,
            Likelihood.MEDIUM,
            "Names need quoting (upper case, spaces, quotes or non-ASCII)",
            List.copyOf(hits),
            hits.size()
                + " names only work quoted. The studio quotes every identifier, but hand-written"
                + " SQL, tools and applications that do not quote them break or hit a different"
                + " (case-folded) name.",
            "Keep them (the copy is safe) or rename them with mapping.naming: snake_case or"
                + " overrides in mapping.yaml; review application queries that use these names."));
  }
}
