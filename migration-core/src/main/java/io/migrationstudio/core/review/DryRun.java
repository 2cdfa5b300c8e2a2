package io.migrationstudio.core.review;

import static io.migrationstudio.core.review.CompatibilityReviewer.CELL_WIDTH;
import static io.migrationstudio.core.review.CompatibilityReviewer.DRY_RUN_ROWS;
import static io.migrationstudio.core.review.CompatibilityReviewer.escape;

import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.canonical.CanonicalEncoder;
import io.migrationstudio.core.canonical.ColumnCodec;
import io.migrationstudio.core.canonical.RowCodec;
import io.migrationstudio.core.canonical.Unconvertible;
import io.migrationstudio.core.copy.CopyText;
import io.migrationstudio.core.copy.SourceRows;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.MarkdownTable;
import io.migrationstudio.core.schema.CanonicalType;
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
  private final EvidenceMask mask;

  DryRun(List<Finding> findings, Connection source, Dialect dialect, EvidenceMask mask) {
    super(findings);
    this.source = source;
    this.dialect = dialect;
    this.mask = mask;
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
        .append(MarkdownTable.NULL)
        .append(", an empty string as ''. Values are masked (letters x, digits #, binary as its")
        .append(" length) unless mapping.evidence.plain in the spec lists the table or column;")
        .append(" plain binary is shown as hex.\n");
  }

  /**
   * The first rows of a table before and after: the source columns as they are, and the copied
   * columns read by {@link TableSql#sourcePreview} (Migrate's own projection) through the target
   * column codecs and rendered as the COPY text Migrate sends; rows Migrate would quarantine are
   * named with the reason.
   */
  void dryRun(TableSql sql, TableInfo info) throws SQLException {
    TableMapping table = sql.table();
    List<Column> ordered =
        info.columns().stream().sorted(Comparator.comparingInt(Column::position)).toList();
    List<String> sourceColumns = ordered.stream().map(Column::name).toList();
    SourceRows sourceRows = SourceRows.of(sql);
    RowCodec codec = sourceRows.codec();
    dryRun
        .append("\n## ")
        .append(escape(table.source()))
        .append(" → ")
        .append(escape(table.target()))
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
          String name = sourceColumns.get(i);
          String shown =
              ordered.get(i).type() == CanonicalType.BYTES
                  ? mask.bytes(table.source(), name, rs.getBytes(i + 1))
                  : mask.text(table.source(), name, rs.getString(i + 1));
          b.add(MarkdownTable.value(shown, CELL_WIDTH));
        }
        String reason = null;
        Object[] values = sourceRows.read(rs, sourceColumns.size() + 1);
        for (int i = 0; i < codec.size(); i++) {
          ColumnCodec column = codec.columns().get(i);
          Object value = values[i];
          reason = reason != null ? reason : maskedReason(table, i, column, value);
          a.add(MarkdownTable.value(shown(table, i, column, value), CELL_WIDTH));
        }
        if (reason != null) {
          quarantined.add("row " + (after.size() + 1) + ": " + reason);
        }
        before.add(b);
        after.add(a);
      }
    } catch (SQLException | MigrationException e) {
      String message =
          failed(dialect, e, "the dry run", table, CompatibilityCheck.DRY_RUN, "", mask);
      dryRun.append("The dry run failed: ").append(escape(message)).append("\n");
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
    MarkdownTable.header(
        dryRun, sourceColumns.stream().map(CompatibilityReviewer::escape).toList());
    before.forEach(r -> MarkdownTable.row(dryRun, r));
    dryRun.append("\nTarget:\n\n");
    MarkdownTable.header(
        dryRun, table.copiedColumns().stream().map(c -> escape(c.target())).toList());
    after.forEach(r -> MarkdownTable.row(dryRun, r));
    if (!quarantined.isEmpty()) {
      dryRun.append("\nMigrate would quarantine ");
      dryRun.append(escape(String.join("; ", quarantined))).append(".\n");
    }
  }

  /**
   * A value as it will arrive, through the evidence mask: binary as its length or (plain) hex,
   * anything else as its COPY text, masked unless plain. The column is the source column the target
   * column is read from (its target name when it has none).
   */
  private String shown(TableMapping table, int i, ColumnCodec column, Object value) {
    ColumnMapping c = table.copiedColumns().get(i);
    String name = c.source() != null ? c.source() : c.target();
    if (value instanceof byte[] bytes) {
      return mask.bytes(table.source(), name, bytes);
    }
    return mask.text(table.source(), name, copyText(column, value));
  }

  /**
   * Why Migrate would quarantine a value, the value it quotes masked like the cell that shows it (a
   * reason names the unconvertible source value), and any other quoted value masked too.
   */
  private String maskedReason(TableMapping table, int i, ColumnCodec column, Object value) {
    String reason = CopyText.unwritable(column, value);
    if (reason == null) {
      return null;
    }
    ColumnMapping c = table.copiedColumns().get(i);
    String name = c.source() != null ? c.source() : c.target();
    List<String> names = names(table);
    // a derived value's "raw" is its expression: a name, not a value
    if (value instanceof Unconvertible u && !u.raw().isEmpty() && !names.contains(u.raw())) {
      reason = reason.replace(u.raw(), mask.text(table.source(), name, u.raw()));
    }
    // an expression's failure may quote other values of the row (e.g. "For input string: ...")
    return mask.quoted(table.source(), name, reason, names);
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
