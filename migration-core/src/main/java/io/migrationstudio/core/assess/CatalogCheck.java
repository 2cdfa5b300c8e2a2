package io.migrationstudio.core.assess;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A {@link RiskCheck} made of its documentation and two functions: the rule and, for checks that
 * may be unable to run, the skip condition. The catalogue's checks are built this way so that each
 * rule stays one short static method next to its siblings.
 */
record CatalogCheck(
    String key,
    Risk.Category category,
    String doc,
    String mitigation,
    Function<RiskContext, Optional<String>> skip,
    Function<RiskContext, List<Risk>> rule)
    implements RiskCheck {

  CatalogCheck {
    Objects.requireNonNull(key, "key");
    if (!key.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
      throw new IllegalArgumentException("check key must be kebab-case, got '" + key + "'");
    }
    Objects.requireNonNull(category, "category of " + key);
    requireOneLine(doc, "doc of " + key);
    requireOneLine(mitigation, "mitigation of " + key);
    Objects.requireNonNull(skip, "skip of " + key);
    Objects.requireNonNull(rule, "rule of " + key);
  }

  /** A check that always runs. */
  static CatalogCheck of(
      String key,
      Risk.Category category,
      String doc,
      String mitigation,
      Function<RiskContext, List<Risk>> rule) {
    return new CatalogCheck(key, category, doc, mitigation, c -> Optional.empty(), rule);
  }

  private static void requireOneLine(String text, String what) {
    if (text == null || text.isBlank() || text.contains("\n")) {
      throw new IllegalArgumentException(what + " must be one non-blank line, got: " + text);
    }
  }

  @Override
  public Optional<String> skipReason(RiskContext context) {
    return skip.apply(context);
  }

  @Override
  public List<Risk> evaluate(RiskContext context) {
    return rule.apply(context);
  }
}
