package io.migrationstudio.core.assess;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.workflow.Verdict;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * {@code risks.json}: the verdict (FAIL when any risk is critical), the number of risks per
 * severity, the risks, most severe first, and what happened to each check of the catalogue ({@code
 * checks}, in catalogue order: ran, skipped with the reason, or not selected).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RiskReport(
    Verdict verdict, Map<String, Integer> counts, List<Risk> risks, List<CheckRun> checks) {
  public RiskReport {
    Objects.requireNonNull(verdict, "verdict is required");
    counts =
        counts == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(counts));
    risks = risks == null ? List.of() : risks.stream().sorted(Risk.ORDER).toList();
    checks = checks == null ? List.of() : List.copyOf(checks);
  }

  /** The report of a list of risks: verdict and counts derived from them. */
  public static RiskReport of(List<Risk> risks) {
    return of(risks, List.of());
  }

  /** The report of a list of risks and the checks that produced them. */
  public static RiskReport of(List<Risk> risks, List<CheckRun> checks) {
    Map<String, Integer> counts = new TreeMap<>();
    for (Risk.Severity s : Risk.Severity.values()) {
      counts.put(s.label(), 0);
    }
    risks.forEach(r -> counts.merge(r.severity().label(), 1, Integer::sum));
    boolean critical = risks.stream().anyMatch(r -> r.severity() == Risk.Severity.CRITICAL);
    return new RiskReport(critical ? Verdict.FAIL : Verdict.PASS, counts, risks, checks);
  }
}
