package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * How the target is validated. {@code sample_rows}: raises the random sample compared field by
 * field per table above its statistical size (95 % confidence, ±5 %, finite-population corrected,
 * at least 100 rows or the whole table); default 0, the formula alone decides. {@code queries}: a
 * regression query set replayed on both sides. {@code latency_tolerance}: how much slower the
 * target may be (default 0.10). {@code repair}: when Validation of a migration FAILs with
 * differences confined to chunks of rows, propose re-copying exactly those chunks ({@code
 * repair-plan.{json,md}}), wait at the validation gate, re-copy them and validate again (default
 * false: nothing is ever repaired). {@code full}: hash every chunk on both sides even when the
 * change stream of an online migration shows a chunk unchanged since an earlier report proved it
 * equal (default false: such a chunk reuses its proof; see docs/change-capture.md).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ValidationOptions(
    @JsonProperty("sample_rows") Integer sampleRows,
    List<QuerySpec> queries,
    @JsonProperty("latency_tolerance") Double latencyTolerance,
    Boolean repair,
    Boolean full) {
  public ValidationOptions {
    sampleRows = sampleRows == null ? 0 : sampleRows;
    queries = queries == null ? List.of() : List.copyOf(queries);
    latencyTolerance = latencyTolerance == null ? 0.10 : latencyTolerance;
    repair = repair != null && repair;
    full = full != null && full;
  }

  /** Before {@code full}: proofs of unchanged chunks are reused. */
  public ValidationOptions(
      Integer sampleRows, List<QuerySpec> queries, Double latencyTolerance, Boolean repair) {
    this(sampleRows, queries, latencyTolerance, repair, null);
  }

  /** Before {@code repair}: no repair. */
  public ValidationOptions(Integer sampleRows, List<QuerySpec> queries, Double latencyTolerance) {
    this(sampleRows, queries, latencyTolerance, null, null);
  }

  public static ValidationOptions defaults() {
    return new ValidationOptions(null, null, null, null, null);
  }
}
