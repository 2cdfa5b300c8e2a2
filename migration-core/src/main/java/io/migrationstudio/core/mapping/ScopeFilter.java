package io.migrationstudio.core.mapping;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.ScopeSpec;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The spec's scope as a predicate over table names: a name is in scope when it matches at least one
 * {@code include} glob and no {@code exclude} glob. Globs are case-sensitive and whole-name; {@code
 * *} matches any run of characters (also none), {@code ?} exactly one; every other character
 * (including {@code .}, {@code [}, quotes and spaces) matches itself.
 */
public final class ScopeFilter implements Predicate<String> {
  private final List<Pattern> include;
  private final List<Pattern> exclude;
  private final String description;

  private ScopeFilter(ScopeSpec scope) {
    this.include = scope.include().stream().map(ScopeFilter::compile).toList();
    this.exclude = scope.exclude().stream().map(ScopeFilter::compile).toList();
    this.description = "include " + scope.include() + ", exclude " + scope.exclude();
  }

  public static ScopeFilter of(ScopeSpec scope) {
    return new ScopeFilter(scope == null ? ScopeSpec.all() : scope);
  }

  @Override
  public boolean test(String name) {
    return include.stream().anyMatch(p -> p.matcher(name).matches())
        && exclude.stream().noneMatch(p -> p.matcher(name).matches());
  }

  /** Whether one glob matches a whole name. */
  public static boolean matches(String glob, String name) {
    return compile(glob).matcher(name).matches();
  }

  static Pattern compile(String glob) {
    if (glob == null) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC, "scope pattern is null; use a glob such as * or orders_?");
    }
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < glob.length(); ) {
      int cp = glob.codePointAt(i);
      if (cp == '*' || cp == '?') {
        if (literal.length() > 0) {
          regex.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        regex.append(cp == '*' ? ".*" : ".");
      } else {
        literal.appendCodePoint(cp);
      }
      i += Character.charCount(cp);
    }
    if (literal.length() > 0) {
      regex.append(Pattern.quote(literal.toString()));
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  @Override
  public String toString() {
    return description;
  }
}
