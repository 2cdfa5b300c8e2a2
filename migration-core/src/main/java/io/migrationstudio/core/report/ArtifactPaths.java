package io.migrationstudio.core.report;

/** Where every artifact lives on a migration branch (DESIGN §2). */
public final class ArtifactPaths {
  public static final String SPEC = "migration.yaml";
  public static final String PULL_REQUEST = "PULL_REQUEST.md";
  public static final String REVIEWS_DIR = "reviews";

  public static final String INVENTORY_JSON = "01-assessment/inventory.json";
  public static final String INVENTORY_MD = "01-assessment/inventory.md";
  public static final String THROUGHPUT_JSON = "01-assessment/throughput.json";
  public static final String PLAN_MD = "01-assessment/plan.md";

  /** {@code plan.md} as data: phases, per-table estimates and the rates they come from. */
  public static final String PLAN_JSON = "01-assessment/plan.json";

  public static final String RISKS_JSON = "01-assessment/risks.json";
  public static final String RISKS_MD = "01-assessment/risks.md";

  public static final String MAPPING_YAML = "02-mapping/mapping.yaml";

  /** The {@code mapping.overrides} file the mapping was generated with, as it was read. */
  public static final String MAPPING_OVERRIDES = "02-mapping/overrides.yaml";

  public static final String COMPATIBILITY_JSON = "02-mapping/compatibility.json";
  public static final String COMPATIBILITY_MD = "02-mapping/compatibility.md";
  public static final String DRY_RUN_MD = "02-mapping/dry-run.md";

  /** The schema diff source → planned target, with forward and rollback DDL (Mapping stage). */
  public static final String SCHEMA_DIFF_MD = "02-mapping/schema-diff.md";

  public static final String SCHEMA_DIFF_JSON = "02-mapping/schema-diff.json";

  public static final String TARGET_SCHEMA_SQL = "03-migrate/target-schema.sql";
  public static final String RUN_JSON = "03-migrate/run.json";
  public static final String RUN_MD = "03-migrate/run.md";
  public static final String INTEGRATION_JSON = "03-migrate/integration.json";
  public static final String CDC_JSON = "03-migrate/cdc.json";
  public static final String CDC_MD = "03-migrate/cdc.md";
  public static final String DRY_RUN_REPORT_JSON = "03-migrate/dry-run-report.json";
  public static final String DRY_RUN_REPORT_MD = "03-migrate/dry-run-report.md";
  public static final String DRY_RUN_CHECK_JSON = "03-migrate/dry-run-check.json";

  public static final String VALIDATION_JSON = "04-validation/validation.json";
  public static final String VALIDATION_MD = "04-validation/validation.md";
  public static final String REGRESSION_JSON = "04-validation/regression.json";
  public static final String REGRESSION_MD = "04-validation/regression.md";

  public static final String RUNBOOK_MD = "05-cutover/runbook.md";
  public static final String ROLLBACK_MD = "05-cutover/rollback.md";
  public static final String DRILL_JSON = "05-cutover/drill.json";
  public static final String DRILL_PLAN_MD = "05-cutover/drill-plan.md";
  public static final String CUTOVER_LOG_JSON = "05-cutover/cutover-log.json";
  public static final String CUTOVER_LOG_MD = "05-cutover/cutover-log.md";

  public static final String HYPERCARE_DIR = "06-hypercare";

  /** The hypercare's start and end: what a re-created migration resumes from. */
  public static final String HYPERCARE_JSON = HYPERCARE_DIR + "/hypercare.json";

  public static final String DECOMMISSION_PLAN_JSON = "07-decommission/plan.json";
  public static final String DECOMMISSION_PLAN_MD = "07-decommission/plan.md";
  public static final String FINAL_REPORT_JSON = "07-decommission/final-report.json";
  public static final String FINAL_REPORT_MD = "07-decommission/final-report.md";

  private ArtifactPaths() {}

  /** {@code 06-hypercare/hypercare-YYYY-MM-DD.<ext>}: the hypercare note of one (UTC) day. */
  public static String hypercareNote(java.time.LocalDate day, String ext) {
    return HYPERCARE_DIR + "/hypercare-" + day + "." + ext;
  }

  /** {@code reviews/NN-<stage>-<decision>.json}, NN the 1-based sequence, two digits at least. */
  public static String review(int sequence, String stageKey, String decision) {
    return String.format(
        java.util.Locale.ROOT,
        "%s/%02d-%s-%s.json",
        REVIEWS_DIR,
        sequence,
        stageKey,
        decision.toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
  }
}
