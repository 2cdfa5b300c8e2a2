package io.migrationstudio.core.assess;

import java.util.List;
import java.util.Optional;

/**
 * One named risk check of the catalogue ({@link RiskCatalog}). Its {@link #key()} is stable across
 * versions (reviewers, specs and docs refer to it); {@link #doc()} and {@link #mitigation()} are
 * the one-line documentation in {@code docs/risk-checks.md}. A check that cannot run (it needs data
 * and there is no probe for the engine, or the inventory lacks what it reads) says why in {@link
 * #skipReason} and is then not evaluated; the reason is recorded in {@code risks.json}.
 */
public interface RiskCheck {

  /** Kebab-case key, e.g. {@code table-without-primary-key}. */
  String key();

  /** The category of the risks it raises (a single risk may differ, e.g. same-engine cases). */
  Risk.Category category();

  /** What it detects, one line. */
  String doc();

  /** The usual mitigation, one line. */
  String mitigation();

  /** Why the check cannot run in this context, or empty when it can. */
  default Optional<String> skipReason(RiskContext context) {
    return Optional.empty();
  }

  /** The risks found, in any order (the report sorts them). */
  List<Risk> evaluate(RiskContext context);
}
