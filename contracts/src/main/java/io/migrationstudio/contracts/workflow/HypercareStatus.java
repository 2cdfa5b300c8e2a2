package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.migrationstudio.contracts.activity.ResidualSession;
import java.util.List;

/**
 * The hypercare as the status shows it: its start and end (workflow time, epoch milliseconds), how
 * many notes were committed, the last residual-access sample (when, and who still connected to the
 * source), the reverse stream's lag in milliseconds (null when none runs) and whether it has ended.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HypercareStatus(
    long startedAtMillis,
    long endsAtMillis,
    int notes,
    Long lastSampleAtMillis,
    List<ResidualSession> lastResidual,
    Long reverseLagMillis,
    boolean ended) {
  public HypercareStatus {
    lastResidual = lastResidual == null ? List.of() : List.copyOf(lastResidual);
  }

  /** Milliseconds of hypercare left at {@code nowMillis} (0 once it has ended). */
  public long leftMillis(long nowMillis) {
    return ended ? 0 : Math.max(0, endsAtMillis - nowMillis);
  }

  /** One line for people, at {@code nowMillis}. */
  public String describe(long nowMillis) {
    StringBuilder b = new StringBuilder("hypercare: ");
    if (ended) {
      b.append("ended");
    } else {
      b.append(
              java.time.Duration.ofMillis(leftMillis(nowMillis))
                  .truncatedTo(java.time.temporal.ChronoUnit.MINUTES))
          .append(" left (until ")
          .append(java.time.Instant.ofEpochMilli(endsAtMillis))
          .append(")");
    }
    b.append("; ").append(notes).append(notes == 1 ? " note" : " notes");
    if (lastSampleAtMillis != null) {
      b.append("; residual access at ")
          .append(java.time.Instant.ofEpochMilli(lastSampleAtMillis))
          .append(": ");
      if (lastResidual.isEmpty()) {
        b.append("nobody");
      } else {
        b.append(String.join(", ", lastResidual.stream().map(ResidualSession::describe).toList()));
      }
    }
    if (reverseLagMillis != null) {
      b.append("; reverse stream lag ").append(reverseLagMillis).append(" ms");
    }
    return b.toString();
  }
}
