package io.migrationstudio.core.review;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingExpressions;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.MarkdownTable;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.review.Finding.Level;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.TableInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Mapping stage's checker: measures on the real source data what the mapping would lose.
 *
 * <p>For every copied column whose value changes on the way (a different target type, a transform,
 * a new NOT NULL) it counts, in one aggregate query per table, the rows that would be refused or
 * altered: NULLs into NOT NULL, values longer than the target length, integers out of the target
 * range, decimals beyond the target precision or rounded by a smaller scale, fractions cut off by
 * an integer target; conversions it cannot reason about are probed by casting the whole column.
 * Each violated check names up to five example primary keys. Structure the mapping does not carry
 * (unmapped tables, dropped columns, indexes, keys, foreign keys and checks left out) is listed as
 * warnings; so are, when a target connection is given, target types the target does not know yet
 * and target tables that already hold rows.
 *
 * <p>The rule for the verdict: a finding that would lose data without an explicit decision fails
 * the review. A measured loss always fails, because the decision that accepts it is a TRANSFORM
 * whose CEL expression does the lossy step (e.g. {@code name.substring(0, 20)}); TRANSFORM, DERIVE
 * and DEFAULT columns and value maps are not SQL, so the aggregate probes skip them and the row
 * probe ({@link RowProbe}) streams every source row through Migrate's reader to measure them (NULL
 * into NOT NULL, overlength, evaluation failures, values a value map does not list). MySQL enum
 * columns are probed for the error value {@code ''} (values outside the enum). Target keys the
 * source does not already guarantee (new, transformed, cast, case-insensitive) are measured for
 * duplicates as the target compares them ({@link KeyProbe}). A type change under disposition MAP
 * fails too (MAP promises an unchanged value); a DROP with a reason is a decision (warning).
 *
 * <p>Alongside, {@code dry-run.md} shows for every table the first {@value #DRY_RUN_ROWS} rows by
 * primary key as they are on the source and as they will arrive. Every value "as it arrives" is
 * built by {@link TableSql} and {@code SourceRows}, what Migrate copies with: the probes measure
 * its {@code sourceValue}, the cast probes its projection, and the dry run reads rows through the
 * same reader (projections and CEL expressions), so the review shows exactly what Migrate will
 * write.
 *
 * <p>The parts, one concern each, share the list of findings: {@link StructureChecks} (what the
 * mapping leaves behind), {@link ColumnProbes} and {@link CrossEngineProbes} (what to measure on a
 * column), {@link SourceMeasurements} (running the probes on the source), {@link RowProbe} (columns
 * computed in Java), {@link KeyProbe} (target keys), {@link DryRun}, {@link TargetChecks}, and
 * {@link ReviewReport} (the artifacts). Every check is listed in {@link CompatibilityCheck}.
 */
public final class CompatibilityReviewer {
  /** Example primary keys per finding. */
  public static final int EXAMPLE_KEYS = 5;

  /** Rows per table in the dry run. */
  public static final int DRY_RUN_ROWS = 3;

  /** Characters per dry-run cell before truncation. */
  public static final int CELL_WIDTH = 40;

  /** The target of every migration is PostgreSQL (DESIGN §1); only its quoting is used here. */
  private static final Dialect TARGET = new PostgresDialect();

  private final io.migrationstudio.contracts.spec.MigrateOptions migrate;

  /** Whether {@code cutover.rollback} is {@code reverse}: the way back is reviewed too. */
  private final boolean reverse;

  /** A reviewer for {@code migrate.strategy: bulk} (the default). */
  public CompatibilityReviewer() {
    this(io.migrationstudio.contracts.spec.MigrateOptions.defaults());
  }

  /**
   * A reviewer for the spec's Migrate options: with {@code strategy: online} every table needs a
   * replica identity ({@link CompatibilityCheck#NO_REPLICA_IDENTITY}); the summary (the text of the
   * gate before Migrate) says what the strategy demands of the source's writes.
   */
  public CompatibilityReviewer(io.migrationstudio.contracts.spec.MigrateOptions migrate) {
    this(migrate, false);
  }

  /**
   * As above; with {@code reverse} ({@code cutover.rollback: reverse}) every mapping the reverse
   * stream cannot invert is a finding too ({@link RollbackChecks}).
   */
  public CompatibilityReviewer(
      io.migrationstudio.contracts.spec.MigrateOptions migrate, boolean reverse) {
    this.migrate = Objects.requireNonNull(migrate, "migrate options");
    this.reverse = reverse;
  }

  /**
   * What the strategy means for the source's writes, one sentence for the review's summary and
   * report: approving the mapping starts Migrate.
   */
  public static String writesNote(io.migrationstudio.contracts.spec.MigrateOptions migrate) {
    return migrate.online()
        ? "strategy online: the source keeps taking writes; a change stream keeps the target in"
            + " sync (caught up below max_lag "
            + migrate.maxLag()
            + ")"
        : "strategy bulk: stop writes to the source before approving; Migrate starts on approval"
            + " and does not carry writes made during or after the copy";
  }

  /**
   * Reviews {@code mapping} (already checked by {@link MappingLoader}) against the source data.
   * {@code target} may be null; the connections' auto-commit mode is set for the review and
   * restored afterwards. Transient SQL failures are thrown (the review is read-only and can be
   * retried); other SQL failures of a check become failing findings. Tables are read where Migrate
   * reads them, in the mapping's {@code source_schema}; {@code sourceSchema} names the schema in
   * failure messages.
   */
  public StageOutput review(
      Connection source,
      Dialect sourceDialect,
      String sourceSchema,
      Connection target,
      Inventory inventory,
      MappingDocument mapping) {
    return review(
        source, sourceDialect, sourceSchema, target, inventory, mapping, EvidenceMask.masked());
  }

  /**
   * As above, with the source values the evidence shows through {@code mask} (masked unless the
   * spec's {@code mapping.evidence.plain} lists the table or column): the dry run's rows, and in
   * the findings the example keys, a {@code max_seen} that is a value (not a length) and the values
   * a detail quotes (a value map's unlisted values, a failed cast or expression).
   */
  public StageOutput review(
      Connection source,
      Dialect sourceDialect,
      String sourceSchema,
      Connection target,
      Inventory inventory,
      MappingDocument mapping,
      EvidenceMask mask) {
    Objects.requireNonNull(source, "source connection is required");
    Run run =
        new Run(
            source,
            sourceDialect,
            inventory,
            mapping,
            Objects.requireNonNull(mask),
            migrate.online(),
            writesNote(migrate));
    try {
      boolean sourceAuto = source.getAutoCommit();
      source.setAutoCommit(true);
      try {
        run.structure();
        if (reverse) {
          new RollbackChecks(run.findings).check(mapping);
        }
        for (TableMapping table : mapping.tables()) {
          TableInfo info =
              inventory
                  .table(table.source())
                  .orElseThrow(
                      () ->
                          new MigrationException(
                              ErrorCode.INVALID_ARTIFACT,
                              "mapping.yaml maps table "
                                  + table.source()
                                  + ", which is not in the inventory; check it with"
                                  + " MappingLoader first"));
          run.review(table, info);
        }
      } finally {
        source.setAutoCommit(sourceAuto);
      }
      if (target != null) {
        boolean targetAuto = target.getAutoCommit();
        target.setAutoCommit(true);
        try {
          run.targetChecks(target);
        } finally {
          target.setAutoCommit(targetAuto);
        }
      }
    } catch (SQLException e) {
      throw sourceDialect.classify(e, "the compatibility review of schema " + sourceSchema);
    }
    return run.output();
  }

  /** The state of one review: its parts share one list of findings, in the order they run. */
  private static final class Run extends ReviewPart {
    private final Connection source;
    private final Dialect dialect;
    private final MappingDocument mapping;
    private final StructureChecks structure;
    private final ColumnProbes columnProbes;
    private final SourceMeasurements measurements;
    private final DryRun dryRun;
    private final String writesNote;
    private final EvidenceMask mask;
    private int columns;

    Run(
        Connection source,
        Dialect dialect,
        Inventory inventory,
        MappingDocument mapping,
        EvidenceMask mask,
        boolean online,
        String writesNote) {
      super(new ArrayList<>());
      this.writesNote = writesNote;
      this.source = source;
      this.dialect = dialect;
      ProfileSql profile = ProfileSql.of(dialect);
      this.mapping = mapping;
      this.structure = new StructureChecks(findings, inventory, mapping, online);
      this.columnProbes = new ColumnProbes(findings, profile);
      this.measurements = new SourceMeasurements(findings, source, dialect, profile, mask);
      this.dryRun = new DryRun(findings, source, dialect, mask);
      this.mask = mask;
    }

    void structure() {
      structure.structure();
    }

    /**
     * Structure, measurements and dry run of one table, all through the {@link TableSql} Migrate
     * copies it with; a table without a copied column cannot be copied at all.
     */
    void review(TableMapping table, TableInfo info) throws SQLException {
      if (table.copiedColumns().isEmpty()) {
        structure.structure(table, info);
        add(
            Level.FAIL,
            table.source(),
            null,
            CompatibilityCheck.NO_COPIED_COLUMN,
            null,
            null,
            List.of(),
            "every column is dropped, so Migrate cannot copy the table; map at least one column"
                + " or remove the table from mapping.yaml");
        return;
      }
      TableSql sql = new TableSql(dialect, TARGET, mapping, table);
      measure(sql, info);
      rowProbe(table, info);
      keyProbe(table, info);
      dryRun.dryRun(sql, info);
    }

    private void measure(TableSql sql, TableInfo info) throws SQLException {
      TableMapping table = sql.table();
      structure.structure(table, info);
      List<Probe> probes = new ArrayList<>();
      for (ColumnMapping c : table.columns()) {
        Column src = c.source() == null ? null : info.column(c.source()).orElse(null);
        if (!c.isCopied()) {
          probes.add(
              new Probe(
                  c,
                  CompatibilityCheck.COLUMN_DROPPED,
                  dialect.quote(c.source()) + " IS NOT NULL",
                  null,
                  Level.WARNING,
                  Level.OK,
                  "dropped (" + c.reason() + "): the counted non-NULL values stay behind"));
          continue;
        }
        columns++;
        if (!MappingExpressions.computed(c)) {
          // computed columns are CEL, not source SQL: the dry run evaluates them row by row
          probes.addAll(columnProbes.probesFor(sql, c, src));
        }
      }
      String from = sql.sourceFrom();
      String where =
          table.filter() == null || table.filter().isBlank()
              ? ""
              : " WHERE (" + table.filter() + ")";
      if (!probes.isEmpty()) {
        measurements.aggregate(table, info, probes, from, where);
      }
      for (ColumnMapping c : table.copiedColumns()) {
        Column src = c.source() == null ? null : info.column(c.source()).orElse(null);
        if (!sql.crossEngine()
            && !MappingExpressions.computed(c)
            && columnProbes.needsCastProbe(c, src)) {
          measurements.castProbe(sql, c, from, where);
        }
      }
    }

    /**
     * The columns Java computes (CEL, value maps) measured by streaming the source rows through
     * Migrate's reader ({@link RowProbe}); a failure that is not transient is a failing finding.
     */
    private void rowProbe(TableMapping table, TableInfo info) throws SQLException {
      if (!RowProbe.needed(table)) {
        return;
      }
      try {
        findings.addAll(RowProbe.run(source, dialect, TARGET, mapping, table, info, mask));
      } catch (SQLException | MigrationException e) {
        failed(dialect, e, "the row probe", table, CompatibilityCheck.ROW_PROBE, "", mask);
      }
    }

    /**
     * Target keys the source does not already guarantee, measured for duplicates as the target
     * compares them ({@link KeyProbe}); a failure that is not transient is a failing finding.
     */
    private void keyProbe(TableMapping table, TableInfo info) throws SQLException {
      List<KeyProbe.Key> keys = KeyProbe.keys(table, info);
      if (keys.isEmpty()) {
        return;
      }
      try {
        findings.addAll(
            KeyProbe.run(
                source,
                dialect,
                TARGET,
                mapping,
                table,
                info,
                keys,
                KeyProbe.KEYS_IN_MEMORY,
                mask));
      } catch (SQLException | MigrationException e) {
        failed(
            dialect,
            e,
            "the key probe",
            table,
            CompatibilityCheck.DUPLICATE_KEY,
            "the duplicate-key check could not run: ",
            mask);
      }
    }

    void targetChecks(Connection target) throws SQLException {
      new TargetChecks(findings, mapping).targetChecks(target);
    }

    StageOutput output() {
      return ReviewReport.output(findings, mapping, columns, dryRun.text(), writesNote);
    }
  }

  /** A cell through the one table rule; the empty string shown as {@code ''}, as before. */
  static String escape(String value) {
    return value != null && value.isEmpty() ? MarkdownTable.EMPTY : MarkdownTable.cell(value);
  }
}
