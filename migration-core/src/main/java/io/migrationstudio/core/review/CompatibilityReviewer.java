package io.migrationstudio.core.review;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.canonical.CanonicalEncoder;
import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.canonical.RowCodec;
import io.migrationstudio.core.copy.CopyText;
import io.migrationstudio.core.copy.SourceRows;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingExpressions;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.mapping.TargetType;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.review.Finding.Level;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.CheckConstraint;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.KeyConstraint;
import io.migrationstudio.core.schema.TableInfo;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    Objects.requireNonNull(source, "source connection is required");
    Run run = new Run(source, sourceDialect, inventory, mapping);
    try {
      boolean sourceAuto = source.getAutoCommit();
      source.setAutoCommit(true);
      try {
        run.structure();
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

  /** The state of one review. */
  private static final class Run {
    private final Connection source;
    private final Dialect dialect;
    private final ProfileSql profile;
    private final Inventory inventory;
    private final MappingDocument mapping;
    private final List<Finding> findings = new ArrayList<>();
    private final StringBuilder dryRun = new StringBuilder();
    private int columns;

    Run(Connection source, Dialect dialect, Inventory inventory, MappingDocument mapping) {
      this.source = source;
      this.dialect = dialect;
      this.profile = ProfileSql.forEngine(dialect.name());
      this.inventory = inventory;
      this.mapping = mapping;
      dryRun
          .append("# Dry run\n\n")
          .append("The first ")
          .append(DRY_RUN_ROWS)
          .append(
              " rows of every table by primary key, as they are on the source and as they will"
                  + " arrive on the target: read by Migrate's own query and written in the COPY"
                  + " text Migrate sends. Values longer than ")
          .append(CELL_WIDTH)
          .append(" characters are cut (…); NULL is shown as ")
          .append(Markdown.NULL)
          .append(", an empty string as ''.\n");
    }

    // ---- structure: what the mapping leaves behind -------------------------------------------

    void structure() {
      for (TableInfo info :
          inventory.tables().stream().sorted(Comparator.comparing(TableInfo::name)).toList()) {
        if (mapping.bySource(info.name()).isEmpty()) {
          add(
              Level.WARNING,
              info.name(),
              null,
              CompatibilityCheck.TABLE_NOT_MAPPED,
              info.rowCount(),
              null,
              List.of(),
              "the source table is not in mapping.yaml, so its "
                  + info.rowCount()
                  + " rows stay behind; add it to the mapping if they must move");
        }
      }
    }

    private void structure(TableMapping table, TableInfo info) {
      Map<String, String> names = new LinkedHashMap<>();
      table.copiedColumns().stream()
          .filter(c -> c.source() != null)
          .forEach(c -> names.put(c.source(), c.target()));
      if (table.primaryKey().isEmpty()) {
        add(
            Level.WARNING,
            table.source(),
            null,
            CompatibilityCheck.NO_PRIMARY_KEY,
            null,
            null,
            List.of(),
            "the target table gets no primary key: Migrate copies it as one chunk and validation"
                + " cannot compare it row by row; map a key if the source has one");
      }
      for (KeyConstraint uk : info.uniqueKeys()) {
        List<String> cols = translate(uk.columns(), names);
        boolean carried =
            cols != null && table.uniqueKeys().stream().anyMatch(k -> k.columns().equals(cols));
        if (!carried) {
          add(
              Level.WARNING,
              table.source(),
              null,
              CompatibilityCheck.UNIQUE_NOT_CARRIED,
              null,
              null,
              List.of(),
              "unique key "
                  + uk.name()
                  + " "
                  + uk.columns()
                  + " is not in the mapping; the target will"
                  + " accept duplicates");
        }
      }
      for (ForeignKey fk : info.foreignKeys()) {
        List<String> cols = translate(fk.columns(), names);
        String refTarget = mapping.bySource(fk.refTable()).map(TableMapping::target).orElse(null);
        boolean carried =
            cols != null
                && table.foreignKeys().stream()
                    .anyMatch(f -> f.columns().equals(cols) && f.refTable().equals(refTarget));
        if (!carried) {
          add(
              Level.WARNING,
              table.source(),
              null,
              CompatibilityCheck.FOREIGN_KEY_NOT_CARRIED,
              null,
              null,
              List.of(),
              "foreign key "
                  + fk.name()
                  + " "
                  + fk.columns()
                  + " → "
                  + fk.refTable()
                  + " is not in the mapping (a column or the referenced table is not migrated);"
                  + " the target will not enforce it");
        }
      }
      for (IndexInfo index : info.indexes()) {
        boolean carried;
        if (index.columns().isEmpty() || index.predicate() != null) {
          carried =
              table.indexes().stream()
                  .anyMatch(i -> Objects.equals(i.definition(), index.definition()));
        } else {
          List<String> cols = translate(index.columns(), names);
          carried =
              cols != null
                  && table.indexes().stream()
                      .anyMatch(i -> i.columns().equals(cols) && i.unique() == index.unique());
        }
        if (!carried) {
          add(
              Level.WARNING,
              table.source(),
              null,
              CompatibilityCheck.INDEX_NOT_CARRIED,
              null,
              null,
              List.of(),
              "index "
                  + index.name()
                  + " is not in the mapping"
                  + (index.columns().isEmpty() || index.predicate() != null
                      ? " (an expression or partial index names source columns and is carried only"
                          + " under identity naming)"
                      : translate(index.columns(), names) == null
                          ? " (one of its columns is dropped)"
                          : " (its method "
                              + index.method()
                              + " has no PostgreSQL equivalent, or an override left it out)")
                  + "; recreate it on the target if queries need it: "
                  + index.definition());
        }
      }
      for (CheckConstraint check : info.checks()) {
        add(
            Level.WARNING,
            table.source(),
            null,
            CompatibilityCheck.CHECK_NOT_CARRIED,
            null,
            null,
            List.of(),
            "check constraint "
                + check.name()
                + " ("
                + check.expression()
                + ") has no place in"
                + " mapping.yaml; the target will not enforce it unless it is recreated");
      }
    }

    // ---- measurements on the data ------------------------------------------------------------

    /**
     * Structure, measurements and dry run of one table, all through the {@link TableSql} Migrate
     * copies it with; a table without a copied column cannot be copied at all.
     */
    void review(TableMapping table, TableInfo info) throws SQLException {
      if (table.copiedColumns().isEmpty()) {
        structure(table, info);
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
      dryRun(sql, info);
    }

    private void measure(TableSql sql, TableInfo info) throws SQLException {
      TableMapping table = sql.table();
      structure(table, info);
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
          probes.addAll(probesFor(sql, c, src));
        }
      }
      String from = sql.sourceTable();
      String where =
          table.filter() == null || table.filter().isBlank()
              ? ""
              : " WHERE (" + table.filter() + ")";
      if (!probes.isEmpty()) {
        aggregate(table, info, probes, from, where);
      }
      for (ColumnMapping c : table.copiedColumns()) {
        Column src = c.source() == null ? null : info.column(c.source()).orElse(null);
        if (!sql.crossEngine() && !MappingExpressions.computed(c) && needsCastProbe(c, src)) {
          castProbe(sql, c, from, where);
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
        findings.addAll(RowProbe.run(source, dialect, TARGET, mapping, table, info));
      } catch (SQLException | MigrationException e) {
        MigrationException m =
            e instanceof SQLException sqlFailure
                ? dialect.classify(sqlFailure, "the row probe of " + table.source())
                : (MigrationException) e;
        if (m.code() == ErrorCode.TRANSIENT_SQL) {
          throw m;
        }
        add(
            Level.FAIL,
            table.source(),
            null,
            CompatibilityCheck.ROW_PROBE,
            null,
            null,
            List.of(),
            m.getMessage() + "; fix the failing type or expression in mapping.yaml");
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
        findings.addAll(KeyProbe.run(source, dialect, TARGET, mapping, table, info, keys));
      } catch (SQLException | MigrationException e) {
        MigrationException m =
            e instanceof SQLException sqlFailure
                ? dialect.classify(sqlFailure, "the key probe of " + table.source())
                : (MigrationException) e;
        if (m.code() == ErrorCode.TRANSIENT_SQL) {
          throw m;
        }
        add(
            Level.FAIL,
            table.source(),
            null,
            CompatibilityCheck.DUPLICATE_KEY,
            null,
            null,
            List.of(),
            "the duplicate-key check could not run: "
                + m.getMessage()
                + "; fix the failing type or expression in mapping.yaml");
      }
    }

    /** Runs every probe of a table in one aggregate query (each alone when one of them fails). */
    private void aggregate(
        TableMapping table, TableInfo info, List<Probe> probes, String from, String where)
        throws SQLException {
      List<String> select = new ArrayList<>();
      for (Probe p : probes) {
        select.add("sum(CASE WHEN " + p.condition + " THEN 1 ELSE 0 END)");
        select.add(p.max == null ? "NULL" : profile.asText("max(" + p.max + ")"));
      }
      String sql = "SELECT " + String.join(", ", select) + " FROM " + from + where;
      try (Statement s = source.createStatement();
          ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        for (int i = 0; i < probes.size(); i++) {
          long count = rs.getLong(2 * i + 1);
          report(table, info, probes.get(i), count, rs.getString(2 * i + 2), from, where);
        }
      } catch (SQLException e) {
        rethrowIfTransient(e, table);
        // one probe broke the aggregate: run each alone to name it
        for (Probe p : probes) {
          String one =
              "SELECT sum(CASE WHEN "
                  + p.condition
                  + " THEN 1 ELSE 0 END), "
                  + (p.max == null ? "NULL" : profile.asText("max(" + p.max + ")"))
                  + " FROM "
                  + from
                  + where;
          try (Statement s = source.createStatement();
              ResultSet rs = s.executeQuery(one)) {
            rs.next();
            report(table, info, p, rs.getLong(1), rs.getString(2), from, where);
          } catch (SQLException each) {
            rethrowIfTransient(each, table);
            add(
                Level.FAIL,
                table.source(),
                label(p.column),
                CompatibilityCheck.QUERY_ERROR,
                null,
                null,
                List.of(),
                "the "
                    + p.check.key()
                    + " check could not run: "
                    + dialect.classify(each, "the check").getMessage()
                    + "; fix the column's expression or type in mapping.yaml");
          }
        }
      }
    }

    private List<Probe> probesFor(TableSql sql, ColumnMapping c, Column src) {
      TableMapping table = sql.table();
      List<Probe> probes = new ArrayList<>();
      String v = sql.sourceValue(c);
      TargetType tt = TargetType.parse(c.type());
      boolean passThrough =
          c.disposition() == Disposition.MAP || c.disposition() == Disposition.CAST;
      if (!c.nullable() && (src == null || src.nullable() || !passThrough)) {
        probes.add(
            new Probe(
                c,
                CompatibilityCheck.NOT_NULL,
                v + " IS NULL",
                null,
                Level.FAIL,
                Level.OK,
                "target column "
                    + c.target()
                    + " is NOT NULL; rows with NULL here would be refused."
                    + " Make the target nullable or transform NULL (e.g. coalesce) in mapping.yaml"));
      }
      if (tt.canonical() == CanonicalType.UNSUPPORTED
          || c.canonical() == CanonicalType.UNSUPPORTED) {
        add(
            Level.FAIL,
            table.source(),
            label(c),
            CompatibilityCheck.UNSUPPORTED_TYPE,
            null,
            null,
            List.of(),
            (src == null ? c.type() : src.nativeType())
                + " has no faithful PostgreSQL type (spatial, or a column without declared type);"
                + " decide it in mapping.yaml: cast it to bytea or text, or drop it with a reason");
      }
      if (sql.crossEngine() && src != null && passThrough) {
        probes.addAll(crossEngineProbes(c, src, tt, v));
      }
      if (src != null && passThrough) {
        profile
            .outsideEnum(v, src.nativeType())
            .ifPresent(
                cond ->
                    probes.add(
                        new Probe(
                            c,
                            CompatibilityCheck.VALUES_OUTSIDE_ENUM,
                            cond,
                            null,
                            Level.FAIL,
                            Level.OK,
                            "values outside "
                                + src.nativeType()
                                + " (MySQL stores an invalid enum input as the error value ''"
                                + " in non-strict mode) would arrive as ''; decide them: a value"
                                + " map (values, with unmapped: reject, keep or null), a"
                                + " transform, or drop the column with a reason")));
      }
      boolean sameType =
          src != null
              && passThrough
              && (TargetType.sameSpelling(src.nativeType(), c.type())
                  || sql.crossEngine() && faithful(src, tt));
      if (sameType) {
        return probes;
      }
      if (src != null && passThrough) {
        typeChange(table, c, src, tt);
      }
      CanonicalType from = src == null || !passThrough ? null : src.type();
      if (tt.canonical().isText() && tt.length() != null) {
        boolean fits =
            from != null && from.isText() && src.length() != null && src.length() <= tt.length();
        if (!fits) {
          String len = profile.charLength(v);
          probes.add(
              new Probe(
                  c,
                  CompatibilityCheck.MAX_LENGTH,
                  len + " > " + tt.length(),
                  len,
                  Level.FAIL,
                  Level.OK,
                  "values longer than "
                      + tt.length()
                      + " characters do not fit "
                      + c.type()
                      + "; widen the type or transform them (e.g. left(value, "
                      + tt.length()
                      + "))"));
        }
      }
      boolean numericSource = from != null && isNumber(from);
      if (tt.canonical().isInteger() && numericSource) {
        BigDecimal min = tt.integerMin();
        BigDecimal max = tt.integerMax();
        if (!fitsInteger(src, tt)) {
          probes.add(
              new Probe(
                  c,
                  CompatibilityCheck.INTEGER_RANGE,
                  v + " < " + min.toPlainString() + " OR " + v + " > " + max.toPlainString(),
                  v,
                  Level.FAIL,
                  Level.OK,
                  "values outside "
                      + c.type()
                      + " ["
                      + min.toPlainString()
                      + ", "
                      + max.toPlainString()
                      + "] would be refused; widen the type"));
        }
        if (!from.isInteger()) {
          probes.add(
              new Probe(
                  c,
                  CompatibilityCheck.FRACTION_LOST,
                  profile.asDecimal(v) + " <> round(" + profile.asDecimal(v) + ")",
                  null,
                  Level.FAIL,
                  Level.OK,
                  "values with a fractional part would be rounded by "
                      + c.type()
                      + "; keep a decimal type or round explicitly with a transform"));
        }
      }
      if (tt.canonical() == CanonicalType.DECIMAL && numericSource && tt.precision() != null) {
        int intDigits = tt.precision() - tt.scale();
        if (!fitsDecimal(src, intDigits)) {
          String limit = BigDecimal.TEN.pow(intDigits).toPlainString();
          probes.add(
              new Probe(
                  c,
                  CompatibilityCheck.NUMERIC_RANGE,
                  "abs(" + profile.asDecimal(v) + ") >= " + limit,
                  "abs(" + profile.asDecimal(v) + ")",
                  Level.FAIL,
                  Level.OK,
                  "values of "
                      + intDigits
                      + "+ integer digits (>= "
                      + limit
                      + ") overflow "
                      + c.type()
                      + " and would be refused; raise the precision"));
        }
        boolean scaleSafe =
            from.isInteger()
                || from == CanonicalType.DECIMAL
                    && src.scale() != null
                    && src.scale() <= tt.scale();
        if (!scaleSafe) {
          probes.add(
              new Probe(
                  c,
                  CompatibilityCheck.NUMERIC_SCALE,
                  profile.asDecimal(v)
                      + " <> round("
                      + profile.asDecimal(v)
                      + ", "
                      + tt.scale()
                      + ")",
                  null,
                  Level.FAIL,
                  Level.OK,
                  "values with more than "
                      + tt.scale()
                      + " decimal places would be rounded by "
                      + c.type()
                      + "; raise the scale or round explicitly with a transform"));
        }
      }
      return probes;
    }

    /**
     * Across engines a MAP is faithful when the canonical type and its bounds are unchanged ({@code
     * int(11)} → {@code integer}, {@code varchar(40)} → {@code character varying(40)}).
     */
    private static boolean faithful(Column src, TargetType tt) {
      if (src.type() != tt.canonical()) {
        return false;
      }
      return switch (tt.canonical()) {
        case CHAR, VARCHAR -> java.util.Objects.equals(src.length(), tt.length());
        case DECIMAL ->
            java.util.Objects.equals(src.precision(), tt.precision())
                && java.util.Objects.equals(
                    src.scale() == null && src.precision() != null ? 0 : src.scale(), tt.scale());
        default -> true;
      };
    }

    /**
     * The checks only a foreign engine needs: zero dates into date/time targets, MySQL times
     * outside a day into time, NUL characters and byte sequences invalid in the declared character
     * set into text, and numbers other than 0/1 into a boolean.
     */
    private List<Probe> crossEngineProbes(ColumnMapping c, Column src, TargetType tt, String v) {
      List<Probe> out = new ArrayList<>();
      CanonicalType to = tt.canonical();
      boolean temporal =
          to == CanonicalType.DATE
              || to == CanonicalType.TIMESTAMP
              || to == CanonicalType.TIMESTAMPTZ;
      if (temporal && src.type() != CanonicalType.TEXT) {
        profile
            .zeroDate(v)
            .ifPresent(
                cond ->
                    out.add(
                        new Probe(
                            c,
                            CompatibilityCheck.ZERO_DATE,
                            cond,
                            null,
                            Level.FAIL,
                            Level.OK,
                            "zero dates (0000-00-00) have no PostgreSQL value; Migrate would"
                                + " quarantine these rows. Decide them with a CEL transform"
                                + " that handles null (a zero date reads as null there), e.g."
                                + " column == null ? null : column for NULL")));
      }
      if (to == CanonicalType.TIME && src.type() == CanonicalType.TIME) {
        profile
            .timeOutsideDay(v)
            .ifPresent(
                cond ->
                    out.add(
                        new Probe(
                            c,
                            CompatibilityCheck.TIME_OUTSIDE_DAY,
                            cond,
                            null,
                            Level.FAIL,
                            Level.OK,
                            "times outside 00:00:00-23:59:59.999999 (MySQL allows -838:59:59 to 838:59:59)"
                                + " have no PostgreSQL time value; Migrate would quarantine these rows."
                                + " Map the column to interval, which keeps every value (a type"
                                + " rule: {match: {source_type: time}, target_type: interval})")));
      }
      if (to.isText() || to == CanonicalType.JSON) {
        profile
            .nulCharacter(v)
            .ifPresent(
                cond ->
                    out.add(
                        new Probe(
                            c,
                            CompatibilityCheck.NUL_CHARACTER,
                            cond,
                            null,
                            Level.FAIL,
                            Level.OK,
                            "text with NUL characters cannot be stored by PostgreSQL; Migrate would"
                                + " quarantine these rows. Remove them with a transform (e.g."
                                + " REPLACE(column, CHAR(0), '')) or map the column to bytea")));
      }
      if (to.isText() || to == CanonicalType.JSON) {
        profile
            .invalidEncoding(v, src.nativeType())
            .ifPresent(
                cond ->
                    out.add(
                        new Probe(
                            c,
                            CompatibilityCheck.INVALID_ENCODING,
                            cond,
                            null,
                            Level.FAIL,
                            Level.OK,
                            "values hold byte sequences that are not valid in the column's"
                                + " character set (the driver would read U+FFFD); Migrate would"
                                + " quarantine these rows. Repair them in the source, decide them"
                                + " with a transform that handles null (such a value reads as"
                                + " null there, e.g. column == null ? null : column), or map the"
                                + " column to bytea")));
      }
      if (to == CanonicalType.BOOLEAN && src.type() != CanonicalType.BYTES) {
        out.add(
            new Probe(
                c,
                CompatibilityCheck.BOOLEAN_RANGE,
                v + " NOT IN (0, 1)",
                null,
                Level.FAIL,
                Level.OK,
                "values other than 0 and 1 are no booleans; map the column to smallint or"
                    + " transform them"));
      }
      return out;
    }

    private static boolean fitsInteger(Column src, TargetType tt) {
      return src.type().isInteger() && src.type().ordinal() <= tt.canonical().ordinal();
    }

    private static boolean fitsDecimal(Column src, int intDigits) {
      return switch (src.type()) {
        case SMALLINT -> intDigits >= 5;
        case INTEGER -> intDigits >= 10;
        case BIGINT -> intDigits >= 19;
        case DECIMAL ->
            src.precision() != null
                && src.scale() != null
                && src.precision() - src.scale() <= intDigits;
        default -> false;
      };
    }

    /** A static finding for a changed type: what the conversion means, before any data is read. */
    private void typeChange(TableMapping table, ColumnMapping c, Column src, TargetType tt) {
      String change = src.nativeType() + " → " + c.type();
      if (c.disposition() == Disposition.MAP) {
        add(
            Level.FAIL,
            table.source(),
            c.source(),
            CompatibilityCheck.TYPE_CHANGE,
            null,
            null,
            List.of(),
            change
                + " under disposition map, which promises an unchanged value; set disposition"
                + " cast to accept the conversion, or restore the source type");
        return;
      }
      CanonicalType from = src.type();
      CanonicalType to = tt.canonical();
      String semantic = null;
      if (from == CanonicalType.TIMESTAMPTZ
          && (to == CanonicalType.TIMESTAMP
              || to == CanonicalType.DATE
              || to == CanonicalType.TIME)) {
        semantic =
            "the time zone is dropped: instants are converted to local time of the session's time zone";
      } else if (from == CanonicalType.TIMESTAMP
          && (to == CanonicalType.DATE || to == CanonicalType.TIME)) {
        semantic = "part of the timestamp is dropped";
      } else if ((from == CanonicalType.DOUBLE || from == CanonicalType.DECIMAL || from.isInteger())
          && (to == CanonicalType.REAL || to == CanonicalType.DOUBLE)
          && from != to) {
        semantic =
            "floating point keeps only about "
                + (to == CanonicalType.REAL ? 6 : 15)
                + " significant digits";
      }
      if (semantic != null) {
        add(
            Level.WARNING,
            table.source(),
            c.source(),
            CompatibilityCheck.TYPE_CHANGE,
            null,
            null,
            List.of(),
            change + ": " + semantic + "; cast accepted as an explicit decision");
      } else {
        add(
            Level.OK,
            table.source(),
            c.source(),
            CompatibilityCheck.TYPE_CHANGE,
            null,
            null,
            List.of(),
            change + ": the measured checks below show whether any value changes");
      }
    }

    private boolean needsCastProbe(ColumnMapping c, Column src) {
      CanonicalType to = TargetType.parse(c.type()).canonical();
      if (to == CanonicalType.TEXT) {
        return false;
      }
      if (c.disposition() != Disposition.CAST) {
        // a transform, derived or default value: only casting it shows whether it fits
        return c.disposition() != Disposition.MAP;
      }
      CanonicalType from = src.type();
      boolean numbers = isNumber(from) && isNumber(to);
      boolean texts = from.isText() && to.isText();
      return from != to && !numbers && !texts;
    }

    private static boolean isNumber(CanonicalType t) {
      return t.isInteger()
          || t == CanonicalType.DECIMAL
          || t == CanonicalType.REAL
          || t == CanonicalType.DOUBLE;
    }

    /** Casts the whole column: conversions the review cannot reason about either work or fail. */
    private void castProbe(TableSql sql, ColumnMapping c, String from, String where)
        throws SQLException {
      TableMapping table = sql.table();
      String query = "SELECT count(" + sql.projection(c) + ") FROM " + from + where;
      try (Statement s = source.createStatement();
          ResultSet rs = s.executeQuery(query)) {
        rs.next();
        add(
            Level.OK,
            table.source(),
            c.source(),
            CompatibilityCheck.CAST,
            rs.getLong(1),
            null,
            List.of(),
            "all " + rs.getLong(1) + " non-NULL values cast to " + c.type());
      } catch (SQLException e) {
        rethrowIfTransient(e, table);
        add(
            Level.FAIL,
            table.source(),
            c.source(),
            CompatibilityCheck.CAST,
            null,
            null,
            List.of(),
            "casting the column to "
                + c.type()
                + " fails on the source data: "
                + dialect.classify(e, "the cast").getMessage()
                + "; choose another type or transform the values");
      }
    }

    private void report(
        TableMapping table,
        TableInfo info,
        Probe p,
        long count,
        String maxSeen,
        String from,
        String where)
        throws SQLException {
      Level level = count > 0 ? p.onViolation : p.onClean;
      List<String> examples = count > 0 ? examples(info, p, from, where) : List.of();
      String detail = count > 0 ? p.detail : p.check.key() + ": no row affected";
      if (p.check == CompatibilityCheck.COLUMN_DROPPED) {
        detail = p.detail;
      }
      add(level, table.source(), label(p.column), p.check, count, maxSeen, examples, detail);
    }

    private List<String> examples(TableInfo info, Probe p, String from, String where)
        throws SQLException {
      if (info.primaryKey() == null) {
        return List.of();
      }
      List<String> pk = info.primaryKey().columns().stream().map(dialect::quote).toList();
      String sql =
          "SELECT "
              + String.join(", ", pk)
              + " FROM "
              + from
              + (where.isEmpty() ? " WHERE " : where + " AND ")
              + "("
              + p.condition
              + ")"
              + " ORDER BY "
              + String.join(", ", pk)
              + " LIMIT "
              + EXAMPLE_KEYS;
      List<String> keys = new ArrayList<>();
      try (Statement s = source.createStatement();
          ResultSet rs = s.executeQuery(sql)) {
        while (rs.next()) {
          List<String> parts = new ArrayList<>();
          for (int i = 1; i <= pk.size(); i++) {
            parts.add(String.valueOf(rs.getString(i)));
          }
          keys.add(parts.size() == 1 ? parts.get(0) : "(" + String.join(", ", parts) + ")");
        }
      }
      return keys;
    }

    // ---- dry run -----------------------------------------------------------------------------

    /**
     * The first rows of a table before and after: the source columns as they are, and the copied
     * columns read by {@link TableSql#sourcePreview} (Migrate's own projection) through the target
     * column codecs and rendered as the COPY text Migrate sends; rows Migrate would quarantine are
     * named with the reason.
     */
    private void dryRun(TableSql sql, TableInfo info) throws SQLException {
      TableMapping table = sql.table();
      List<String> sourceColumns =
          info.columns().stream()
              .sorted(Comparator.comparingInt(Column::position))
              .map(Column::name)
              .toList();
      SourceRows sourceRows = SourceRows.of(sql);
      RowCodec codec = sourceRows.codec();
      dryRun
          .append("\n## ")
          .append(Markdown.escape(table.source()))
          .append(" → ")
          .append(Markdown.escape(table.target()))
          .append("\n\n");
      List<List<String>> before = new ArrayList<>();
      List<List<String>> after = new ArrayList<>();
      List<String> quarantined = new ArrayList<>();
      try (Statement s = source.createStatement();
          ResultSet rs = s.executeQuery(sql.sourcePreview(sourceColumns, DRY_RUN_ROWS))) {
        while (rs.next()) {
          List<String> b = new ArrayList<>();
          List<String> a = new ArrayList<>();
          for (int i = 0; i < sourceColumns.size(); i++) {
            b.add(Markdown.cell(rs.getString(i + 1), CELL_WIDTH));
          }
          String reason = null;
          Object[] values = sourceRows.read(rs, sourceColumns.size() + 1);
          for (int i = 0; i < codec.size(); i++) {
            ColumnCodec column = codec.columns().get(i);
            Object value = values[i];
            reason = reason != null ? reason : CopyText.unwritable(column, value);
            a.add(Markdown.cell(copyText(column, value), CELL_WIDTH));
          }
          if (reason != null) {
            quarantined.add("row " + (after.size() + 1) + ": " + reason);
          }
          before.add(b);
          after.add(a);
        }
      } catch (SQLException | MigrationException e) {
        MigrationException m =
            e instanceof SQLException sqlFailure
                ? dialect.classify(sqlFailure, "the dry run of " + table.source())
                : (MigrationException) e;
        if (m.code() == ErrorCode.TRANSIENT_SQL) {
          throw m;
        }
        add(
            Level.FAIL,
            table.source(),
            null,
            CompatibilityCheck.DRY_RUN,
            null,
            null,
            List.of(),
            m.getMessage() + "; fix the failing type or expression in mapping.yaml");
        dryRun.append("The dry run failed: ").append(Markdown.escape(m.getMessage())).append("\n");
        return;
      }
      if (before.isEmpty()) {
        dryRun
            .append("The source table holds no rows")
            .append(table.filter() == null ? "" : " matching the filter")
            .append(".\n");
        return;
      }
      dryRun.append("Source:\n\n");
      Markdown.header(dryRun, sourceColumns.stream().map(Markdown::escape).toList());
      before.forEach(r -> Markdown.row(dryRun, r));
      dryRun.append("\nTarget:\n\n");
      Markdown.header(
          dryRun, table.copiedColumns().stream().map(c -> Markdown.escape(c.target())).toList());
      after.forEach(r -> Markdown.row(dryRun, r));
      if (!quarantined.isEmpty()) {
        dryRun.append("\nMigrate would quarantine ");
        dryRun.append(Markdown.escape(String.join("; ", quarantined))).append(".\n");
      }
    }

    /** The COPY text of a value (null stays null, shown as NULL like on the source side). */
    private static String copyText(ColumnCodec column, Object value) {
      if (value == null) {
        return null;
      }
      if (CopyText.unwritable(column, value) != null) {
        return CanonicalEncoder.display(column, value);
      }
      StringBuilder out = new StringBuilder();
      CopyText.append(column, value, out);
      return out.toString();
    }

    // ---- target ------------------------------------------------------------------------------

    void targetChecks(Connection target) throws SQLException {
      Dialect targetDialect = Dialects.forUrl(target.getMetaData().getURL());
      Map<String, ColumnMapping> firstUse = new LinkedHashMap<>();
      Map<String, String> firstTable = new LinkedHashMap<>();
      for (TableMapping t : mapping.tables()) {
        for (ColumnMapping c : t.copiedColumns()) {
          if (!firstUse.containsKey(c.type())) {
            firstUse.put(c.type(), c);
            firstTable.put(c.type(), t.source());
          }
        }
      }
      for (Map.Entry<String, ColumnMapping> e : firstUse.entrySet()) {
        try (Statement s = target.createStatement();
            ResultSet rs = s.executeQuery("SELECT CAST(NULL AS " + e.getKey() + ")")) {
          rs.next();
        } catch (SQLException ex) {
          if (targetDialect.classify(ex, "").code() == ErrorCode.TRANSIENT_SQL) {
            throw targetDialect.classify(ex, "the target type check");
          }
          add(
              Level.WARNING,
              firstTable.get(e.getKey()),
              label(e.getValue()),
              CompatibilityCheck.TARGET_TYPE_MISSING,
              null,
              null,
              List.of(),
              "the target does not know type "
                  + e.getKey()
                  + " (SQLState "
                  + ex.getSQLState()
                  + "); create it (enum, domain or extension) before Migrate, or map another type");
        }
      }
      DatabaseMetaData meta = target.getMetaData();
      for (TableMapping t : mapping.tables()) {
        boolean exists;
        try (ResultSet rs = meta.getTables(null, mapping.targetSchema(), t.target(), null)) {
          exists = rs.next();
        }
        if (!exists) {
          continue;
        }
        try (Statement s = target.createStatement();
            ResultSet rs =
                s.executeQuery(
                    "SELECT count(*) FROM "
                        + targetDialect.qualify(mapping.targetSchema(), t.target()))) {
          rs.next();
          long rows = rs.getLong(1);
          if (rows > 0) {
            add(
                Level.WARNING,
                t.source(),
                null,
                CompatibilityCheck.TARGET_NOT_EMPTY,
                rows,
                null,
                List.of(),
                "target table "
                    + t.target()
                    + " already holds "
                    + rows
                    + " rows; empty it or confirm"
                    + " that Migrate may replace them");
          }
        }
      }
    }

    // ---- helpers -----------------------------------------------------------------------------

    private void rethrowIfTransient(SQLException e, TableMapping table) {
      MigrationException m = dialect.classify(e, "the compatibility review of " + table.source());
      if (m.code() == ErrorCode.TRANSIENT_SQL) {
        throw m;
      }
    }

    private static String label(ColumnMapping c) {
      return c.source() != null ? c.source() : c.target();
    }

    private static List<String> translate(List<String> columns, Map<String, String> names) {
      List<String> out = new ArrayList<>();
      for (String c : columns) {
        if (!names.containsKey(c)) {
          return null;
        }
        out.add(names.get(c));
      }
      return out;
    }

    private void add(
        Level level,
        String table,
        String column,
        CompatibilityCheck check,
        Long count,
        String maxSeen,
        List<String> examples,
        String detail) {
      findings.add(Finding.of(level, table, column, check, count, maxSeen, examples, detail));
    }

    StageOutput output() {
      List<Finding> sorted =
          findings.stream().sorted(Comparator.comparing(Finding::verdict)).toList();
      long fail = sorted.stream().filter(f -> f.verdict() == Level.FAIL).count();
      long warning = sorted.stream().filter(f -> f.verdict() == Level.WARNING).count();
      long ok = sorted.size() - fail - warning;
      Verdict verdict = fail > 0 ? Verdict.FAIL : Verdict.PASS;
      CompatibilityReport report =
          new CompatibilityReport(
              verdict,
              mapping.sourceEngine(),
              mapping.sourceSchema(),
              mapping.targetSchema(),
              mapping.tables().size(),
              columns,
              fail,
              warning,
              ok,
              sorted);
      String counts =
          fail
              + " fail, "
              + warning
              + " warning, "
              + ok
              + " ok over "
              + mapping.tables().size()
              + " tables and "
              + columns
              + " columns";
      String summary = "compatibility " + verdict + ": " + counts;
      Map<String, byte[]> files = new LinkedHashMap<>();
      files.put(ArtifactPaths.COMPATIBILITY_JSON, Json.bytes(Json.write(report)));
      files.put(ArtifactPaths.COMPATIBILITY_MD, Json.bytes(markdown(report, counts)));
      files.put(ArtifactPaths.DRY_RUN_MD, Json.bytes(dryRun.toString()));
      return new StageOutput(files, verdict, summary);
    }

    private static String markdown(CompatibilityReport report, String counts) {
      StringBuilder md = new StringBuilder();
      md.append("# Compatibility review\n\n");
      md.append("**Verdict: ")
          .append(report.verdict())
          .append("** — ")
          .append(counts)
          .append(".\n\n");
      Markdown.header(
          md,
          List.of(
              "verdict",
              "table",
              "column",
              "check",
              "count",
              "max seen",
              "example keys",
              "detail"));
      for (Finding f : report.findings()) {
        Markdown.row(
            md,
            List.of(
                f.verdict().key(),
                Markdown.escape(f.table()),
                f.column() == null ? "" : Markdown.escape(f.column()),
                f.check(),
                f.count() == null ? "" : f.count().toString(),
                f.maxSeen() == null ? "" : Markdown.escape(f.maxSeen()),
                f.examples() == null ? "" : Markdown.escape(String.join("; ", f.examples())),
                Markdown.escape(f.detail())));
      }
      md.append(
          "\nA failing finding loses data unless the mapping changes: widen the type, make the"
              + " column nullable, or state the loss explicitly with a transform. Warnings name structure"
              + " or semantics to confirm; ok rows show what was measured.\n");
      return md.toString();
    }
  }

  /** One measured condition on a column: rows matching {@code condition} are affected. */
  private record Probe(
      ColumnMapping column,
      CompatibilityCheck check,
      String condition,
      String max,
      Level onViolation,
      Level onClean,
      String detail) {}
}
