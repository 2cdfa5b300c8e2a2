package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How the cutover runs. {@code window}: null (any time), an ISO-8601 instant to wait for, or a
 * window {@code { start, end, zone, after_end }}, once or daily (see {@link CutoverWindow}). {@code
 * rto}: ISO-8601 duration the rollback must fit in (default PT15M). {@code freeze}: {@code
 * source-read-only} (default) or {@code none}. {@code switch}: see {@link SwitchSpec}. {@code
 * max_validation_age}: ISO-8601 duration; right before executing, a validation report older than
 * this (or made against another state of the chunk ledger) is refused and Validation re-run
 * (default PT24H). {@code max_lag}: ISO-8601 duration; an online migration's cutover refuses to
 * freeze when its change stream needs longer than this to catch up with the source (default PT5S);
 * ignored by {@code bulk}. {@code hypercare}: ISO-8601 duration the migration stays open after the
 * switch (source kept frozen, residual access sampled, a daily note), then the gated decommission
 * (default {@value #DEFAULT_HYPERCARE}; {@code PT0S}: no hypercare and no decommission, the
 * migration ends at the switch). {@code after_decommission}: {@value #KEEP_FROZEN} (default: the
 * source's write guards stay, {@code studio release} lifts them) or {@value #RELEASE} (the
 * decommission lifts them). {@code rollback}: {@code reverse} (the target's writes stream back to
 * the source from the switch, so a rollback loses none; the Mapping review flags every mapping the
 * way back cannot invert) or {@code none}; null resolves to {@code reverse} for an online
 * PostgreSQL → PostgreSQL migration and {@code none} otherwise ({@link
 * MigrationSpec#reverseReplication()}). {@code drill}: when the rehearsal of the way back runs on
 * the real source and target: {@code after_approval} (default: once the cutover gate is approved; a
 * drill that fails or misses the RTO blocks the execution until a review overrides it with a
 * reason), {@code separate_gate} (the cutover approval permits the drill only; the execution waits
 * for a second approval of the drill's commit, whose runbook shows the measured durations) or
 * {@code skip} (nothing is rehearsed). {@code final_check}: what the online cutover compares under
 * the freeze after the drain: {@value #FINAL_CHECK_CHANGED} (null: the default for {@code online}:
 * the rows the change stream changed since the Validation's proof, by key) or {@value
 * #FINAL_CHECK_FULL} (every table in full, as a bulk cutover always does).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CutoverOptions(
    CutoverWindow window,
    String rto,
    String freeze,
    @JsonProperty("switch") SwitchSpec switchTo,
    @JsonProperty("max_validation_age") String maxValidationAge,
    @JsonProperty("max_lag") String maxLag,
    String rollback,
    String hypercare,
    @JsonProperty("after_decommission") String afterDecommission,
    String drill,
    @JsonProperty("final_check") String finalCheck) {
  /** {@code final_check: changed}: the rows changed since the Validation's proof (online). */
  public static final String FINAL_CHECK_CHANGED = "changed";

  /** {@code final_check: full}: every table compared in full under the freeze. */
  public static final String FINAL_CHECK_FULL = "full";

  /**
   * {@code cutover.rollback: none}: no reverse stream; a rollback restores the source as it was.
   */
  public static final String ROLLBACK_NONE = "none";

  /** {@code cutover.rollback: reverse}: the target's writes stream back to the source. */
  public static final String ROLLBACK_REVERSE = "reverse";

  public static final String DEFAULT_MAX_VALIDATION_AGE = "PT24H";

  /** {@code drill}: after the cutover approval; a failed drill blocks until an override review. */
  public static final String DRILL_AFTER_APPROVAL = "after_approval";

  /** {@code drill}: the execution needs a second approval of the drill's result. */
  public static final String DRILL_SEPARATE_GATE = "separate_gate";

  /** {@code drill}: no rehearsal. */
  public static final String DRILL_SKIP = "skip";

  public static final String DEFAULT_MAX_LAG = "PT5S";

  public static final String DEFAULT_HYPERCARE = "P7D";

  /** {@code after_decommission}: the source's write guards stay after the decommission. */
  public static final String KEEP_FROZEN = "keep_frozen";

  /** {@code after_decommission}: the decommission lifts the source's write guards. */
  public static final String RELEASE = "release";

  public CutoverOptions {
    rto = rto == null ? "PT15M" : rto;
    freeze = freeze == null ? "source-read-only" : freeze;
    switchTo = switchTo == null ? SwitchSpec.none() : switchTo;
    maxValidationAge = maxValidationAge == null ? DEFAULT_MAX_VALIDATION_AGE : maxValidationAge;
    maxLag = maxLag == null ? DEFAULT_MAX_LAG : maxLag;
    hypercare = hypercare == null ? DEFAULT_HYPERCARE : hypercare;
    afterDecommission = afterDecommission == null ? KEEP_FROZEN : afterDecommission;
    drill = drill == null ? DRILL_AFTER_APPROVAL : drill;
  }

  /** Options without {@code final_check} (the default). */
  public static CutoverOptions defaults() {
    return new CutoverOptions(null, null, null, null, null, null, null, null, null, null, null);
  }

  /** A copy with another {@code window} (null: any time). */
  public CutoverOptions withWindow(CutoverWindow newWindow) {
    Copy c = new Copy(this);
    c.window = newWindow;
    return c.build();
  }

  /** A copy with another {@code max_validation_age} (ISO-8601; null: the default). */
  public CutoverOptions withMaxValidationAge(String newMaxValidationAge) {
    Copy c = new Copy(this);
    c.maxValidationAge = newMaxValidationAge;
    return c.build();
  }

  /**
   * A copy with another {@code drill} ({@value #DRILL_AFTER_APPROVAL}, {@value
   * #DRILL_SEPARATE_GATE} or {@value #DRILL_SKIP}; null: the default).
   */
  public CutoverOptions withDrill(String newDrill) {
    Copy c = new Copy(this);
    c.drill = newDrill;
    return c.build();
  }

  /** A copy with another {@code rollback} (null: the default for the migration). */
  public CutoverOptions withRollback(String newRollback) {
    Copy c = new Copy(this);
    c.rollback = newRollback;
    return c.build();
  }

  /** A copy with another {@code hypercare} duration (ISO-8601; {@code PT0S}: none). */
  public CutoverOptions withHypercare(String newHypercare) {
    Copy c = new Copy(this);
    c.hypercare = newHypercare;
    return c.build();
  }

  /**
   * A copy with another {@code after_decommission} ({@value #KEEP_FROZEN} or {@value #RELEASE}).
   */
  public CutoverOptions withAfterDecommission(String newAfterDecommission) {
    Copy c = new Copy(this);
    c.afterDecommission = newAfterDecommission;
    return c.build();
  }

  /** A copy with another {@code final_check} (null: the default). */
  public CutoverOptions withFinalCheck(String newFinalCheck) {
    Copy c = new Copy(this);
    c.finalCheck = newFinalCheck;
    return c.build();
  }

  /** Whether the decommission lifts the source's write guards. */
  public boolean releaseAfterDecommission() {
    return RELEASE.equals(afterDecommission);
  }

  /** The options' values, to change some of them (the with-methods) and build anew. */
  private static final class Copy {
    private CutoverWindow window;
    private String rto;
    private String freeze;
    private SwitchSpec switchTo;
    private String maxValidationAge;
    private String maxLag;
    private String rollback;
    private String hypercare;
    private String afterDecommission;
    private String drill;
    private String finalCheck;

    Copy(CutoverOptions o) {
      window = o.window;
      rto = o.rto;
      freeze = o.freeze;
      switchTo = o.switchTo;
      maxValidationAge = o.maxValidationAge;
      maxLag = o.maxLag;
      rollback = o.rollback;
      hypercare = o.hypercare;
      afterDecommission = o.afterDecommission;
      drill = o.drill;
      finalCheck = o.finalCheck;
    }

    CutoverOptions build() {
      return new CutoverOptions(
          window,
          rto,
          freeze,
          switchTo,
          maxValidationAge,
          maxLag,
          rollback,
          hypercare,
          afterDecommission,
          drill,
          finalCheck);
    }
  }
}
