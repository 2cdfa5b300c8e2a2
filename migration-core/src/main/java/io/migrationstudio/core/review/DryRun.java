package io.migrationstudio.core.review;

import static io.migrationstudio.core.review.CompatibilityReviewer.CELL_WIDTH;
import static io.migrationstudio.core.review.CompatibilityReviewer.DRY_RUN_ROWS;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.canonical.CanonicalEncoder;
import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.canonical.RowCodec;
import io.migrationstudio.core.copy.CopyText;
import io.migrationstudio.core.copy.SourceRows;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.review.Finding.Level;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.TableInfo;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code dry-run.md}: the first rows of every table by primary key before and after, read by
 * Migrate's own query and written in the COPY text Migrate sends; a table whose rows cannot be read
 * fails the review.
 */
final class DryRun extends ReviewPart {
  private final Connection source;
  private final Dialect dialect;
  private final StringBuilder dryRun = new StringBuilder();

  DryRun(List<Finding> findings, Connection source, Dialect dialect) {
    super(findings);
    this.source = source;
    this.dialect = dialect;
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

  /**
   * The first rows of a table before and after: the source columns as they are, and the copied
   * columns read by {@link TableSql#sourcePreview} (Migrate's own projection) through the target
   * column codecs and rendered as the COPY text Migrate sends; rows Migrate would quarantine are
   * named with the reason.
   */
  void dryRun(TableSql sql, TableInfo info) throws SQLException {
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
    tables(table, sourceColumns, before, after, quarantined);
  }

  /** The before and after tables of one table, and the rows Migrate would quarantine. */
  private void tables(
      TableMapping table,
      List<String> sourceColumns,
      List<List<String>> before,
      List<List<String>> after,
      List<String> quarantined) {
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

  String text() {
    return dryRun.toString();
  }
}
