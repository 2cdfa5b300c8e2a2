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
 * ignored by {@code bulk}. {@code drill}: when the rehearsal of the way back runs on the real
 * source and target: {@code after_approval} (default: once the cutover gate is approved; a drill
 * that fails or misses the RTO blocks the execution until a review overrides it with a reason),
 * {@code separate_gate} (the cutover approval permits the drill only; the execution waits for a
 * second approval of the drill's commit, whose runbook shows the measured durations) or {@code
 * skip} (nothing is rehearsed).
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
    String drill) {
  public static final String DEFAULT_MAX_VALIDATION_AGE = "PT24H";

  /** {@code drill}: after the cutover approval; a failed drill blocks until an override review. */
  public static final String DRILL_AFTER_APPROVAL = "after_approval";

  /** {@code drill}: the execution needs a second approval of the drill's result. */
  public static final String DRILL_SEPARATE_GATE = "separate_gate";

  /** {@code drill}: no rehearsal. */
  public static final String DRILL_SKIP = "skip";

  public static final String DEFAULT_MAX_LAG = "PT5S";

  public CutoverOptions {
    rto = rto == null ? "PT15M" : rto;
    freeze = freeze == null ? "source-read-only" : freeze;
    switchTo = switchTo == null ? SwitchSpec.none() : switchTo;
    maxValidationAge = maxValidationAge == null ? DEFAULT_MAX_VALIDATION_AGE : maxValidationAge;
    maxLag = maxLag == null ? DEFAULT_MAX_LAG : maxLag;
    drill = drill == null ? DRILL_AFTER_APPROVAL : drill;
  }

  /** Before {@code drill}: the default drill, after the cutover approval. */
  public CutoverOptions(
      CutoverWindow window,
      String rto,
      String freeze,
      SwitchSpec switchTo,
      String maxValidationAge,
      String maxLag) {
    this(window, rto, freeze, switchTo, maxValidationAge, maxLag, null);
  }

  /** The window as an instant to wait for (the form before windows had an end). */
  public CutoverOptions(
      String window,
      String rto,
      String freeze,
      SwitchSpec switchTo,
      String maxValidationAge,
      String maxLag) {
    this(CutoverWindow.at(window), rto, freeze, switchTo, maxValidationAge, maxLag, null);
  }

  /** Before {@code max_lag}: the default lag. */
  public CutoverOptions(
      String window, String rto, String freeze, SwitchSpec switchTo, String maxValidationAge) {
    this(window, rto, freeze, switchTo, maxValidationAge, null);
  }

  /** Before {@code max_validation_age}: the default age. */
  public CutoverOptions(String window, String rto, String freeze, SwitchSpec switchTo) {
    this(window, rto, freeze, switchTo, null);
  }

  public static CutoverOptions defaults() {
    return new CutoverOptions((CutoverWindow) null, null, null, null, null, null, null);
  }
}
