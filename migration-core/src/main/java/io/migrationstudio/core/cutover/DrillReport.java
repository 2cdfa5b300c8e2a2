package io.migrationstudio.core.cutover;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.migrationstudio.contracts.workflow.Verdict;
import java.util.List;
import java.util.Objects;

/**
 * {@code drill.json}: the rehearsed rollback. {@code rollbackMillis} is the measured time of the
 * rollback phase (unfreeze, revert the switch, check writes), compared with the spec's RTO. A
 * one-time record: timings differ per run, so a re-run reuses it instead of drilling again.
 *
 * <p>From version 2 (the drill after the cutover approval, on the real pair): {@code kind} ({@code
 * online}: the whole way there and back with the change streams; {@code bulk}: freeze, switch,
 * switch back, unfreeze), {@code requested_at} (the workflow time of the request: a retried
 * activity reuses its own drill, a new request drills again), the approved commit, the drill's own
 * writes on the target and the row changes the reverse stream applied to the source (the drill's
 * writes are tagged and skipped, so only application writes sent to the target during the drill
 * count), and what the drill does not rehearse.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "version",
  "migration",
  "source",
  "freeze",
  "switch",
  "rto",
  "rto_millis",
  "rollback_millis",
  "verdict",
  "summary",
  "steps",
  "kind",
  "requested_at",
  "approved_commit",
  "drill_writes",
  "reverse_changes",
  "not_rehearsed"
})
public record DrillReport(
    int version,
    String migration,
    String source,
    String freeze,
    @JsonProperty("switch") String switchType,
    String rto,
    @JsonProperty("rto_millis") long rtoMillis,
    @JsonProperty("rollback_millis") long rollbackMillis,
    Verdict verdict,
    String summary,
    List<CutoverStep> steps,
    String kind,
    @JsonProperty("requested_at") Long requestedAt,
    @JsonProperty("approved_commit") String approvedCommit,
    @JsonProperty("drill_writes") Long drillWrites,
    @JsonProperty("reverse_changes") Long reverseChanges,
    @JsonProperty("not_rehearsed") List<String> notRehearsed) {
  public static final int CURRENT_VERSION = 1;

  /** The drill after the cutover approval, on the real pair. */
  public static final int REAL_PATH_VERSION = 2;

  public static final String ONLINE = "online";
  public static final String BULK = "bulk";

  public DrillReport {
    Objects.requireNonNull(verdict, "verdict is required");
    steps = steps == null ? List.of() : List.copyOf(steps);
    summary = summary == null ? "" : summary;
    notRehearsed = notRehearsed == null ? List.of() : List.copyOf(notRehearsed);
  }

  /** A version 1 drill (the checker of the cutover gate, before the approval). */
  public DrillReport(
      int version,
      String migration,
      String source,
      String freeze,
      String switchType,
      String rto,
      long rtoMillis,
      long rollbackMillis,
      Verdict verdict,
      String summary,
      List<CutoverStep> steps) {
    this(
        version,
        migration,
        source,
        freeze,
        switchType,
        rto,
        rtoMillis,
        rollbackMillis,
        verdict,
        summary,
        steps,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
