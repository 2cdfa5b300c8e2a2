package io.migrationstudio.core.validate;

import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.canonical.RowCodec;
import io.migrationstudio.core.cdc.apply.RowChanges;
import io.migrationstudio.core.copy.SourceRows;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.EvidenceMask;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Compares given rows of a table, by key, on both sides: the cutover's final check of the rows the
 * change stream changed since the Validation's proof ({@link RowChanges}).
 *
 * <p>The keys go in batches of {@value #KEYS_PER_QUERY} ({@code (k1, k2) IN (...)}). On the
 * validator's SQL path (same engine, identity mapping: {@link ChunkComparer#sqlEligible}) each
 * batch is first a count and a hash sum computed by each server, as a chunk's digest is; only a
 * batch whose digests differ has its rows read. Otherwise, and for such a batch, both sides' rows
 * are read, the source's through the mapping ({@link SourceRows}), and compared value by value
 * under the columns' comparison rules ({@link Validator#differingValues}): the same canonical
 * comparison as the validator's, so a row equal here is equal there. A key present on neither side
 * (deleted on both) is equal.
 */
public final class KeyedComparison {
  /** Keys per query: large enough to amortize round trips, small enough for any SQL parser. */
  static final int KEYS_PER_QUERY = 500;

  private final Dialect source;
  private final Dialect target;

  public KeyedComparison(Dialect source, Dialect target) {
    this.source = source;
    this.target = target;
  }

  /**
   * Compares the rows of {@code keys} (by source table; no whole-table entry) of {@code mapping}'s
   * tables; the report has one table per key set, its {@code sampled} the rows compared, its
   * differences named by key (masked through {@code mask}).
   */
  public ValidationReport compare(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String migrationId,
      Map<String, List<RowChanges.Changed>> keys,
      EvidenceMask mask) {
    List<ValidationReport.TableValidation> tables = new ArrayList<>();
    for (Map.Entry<String, List<RowChanges.Changed>> e : keys.entrySet()) {
      TableMapping t =
          mapping
              .bySource(e.getKey())
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "table " + e.getKey() + " is not in the mapping"));
      try {
        tables.add(table(src, tgt, new TableSql(source, target, mapping, t), e.getValue()));
      } catch (SQLException ex) {
        throw target.classify(
            ex, "comparing the changed rows of table " + t.source() + " → " + t.target());
      }
    }
    boolean ok = tables.stream().allMatch(t -> t.status() == Verdict.PASS);
    return MaskedReport.of(
        new ValidationReport(migrationId, ok ? Verdict.PASS : Verdict.FAIL, "", 0, tables),
        mapping,
        mask);
  }

  private ValidationReport.TableValidation table(
      Connection src, Connection tgt, TableSql sql, List<RowChanges.Changed> keys)
      throws SQLException {
    SourceRows reader = SourceRows.of(sql);
    RowCodec codec = reader.codec();
    Optional<String[]> hash = hashItems(sql);
    long[] found = new long[2];
    long[] diff = new long[3]; // missing, extra, changed
    int batches = 0;
    int hashedOnly = 0;
    TreeSet<ValidationReport.Difference> listed = new TreeSet<>();
    for (int from = 0; from < keys.size(); from += KEYS_PER_QUERY) {
      List<RowChanges.Changed> batch =
          keys.subList(from, Math.min(keys.size(), from + KEYS_PER_QUERY));
      batches++;
      if (hash.isPresent()) {
        long[] s = digest(src, sql.sourceByKeys(hash.get()[0], batch.size()), sql, batch, true);
        long[] t = digest(tgt, sql.targetByKeys(hash.get()[1], batch.size()), sql, batch, false);
        if (s[0] == t[0] && s[1] == t[1]) {
          found[0] += s[0];
          found[1] += t[0];
          hashedOnly++;
          continue;
        }
      }
      rows(src, tgt, sql, reader, codec, batch, found, diff, listed);
    }
    boolean same = diff[0] + diff[1] + diff[2] == 0;
    return new ValidationReport.TableValidation(
        sql.table().source(),
        sql.table().target(),
        found[0],
        found[1],
        diff[0],
        diff[1],
        diff[2],
        batches,
        same ? 0 : batches - hashedOnly,
        "changed-rows",
        keys.size(),
        (int) Math.min(Integer.MAX_VALUE, diff[0] + diff[1] + diff[2]),
        0,
        List.of(),
        new ArrayList<>(listed),
        List.of(),
        List.of(),
        same ? Verdict.PASS : Verdict.FAIL,
        hash.isPresent() ? ChunkComparer.Path.SQL.key() : ChunkComparer.Path.CLIENT.key(),
        0,
        0,
        null,
        null,
        null);
  }

  /** {source, target} hash-sum select items on the SQL path, else empty. */
  private static Optional<String[]> hashItems(TableSql sql) {
    if (!ChunkComparer.sqlEligible(sql)) {
      return Optional.empty();
    }
    List<ColumnMapping> cols = sql.copiedColumns();
    Optional<String> s =
        sql.sourceDialect()
            .rowHashSum(cols.stream().map(c -> sql.sourceDialect().quote(c.source())).toList());
    Optional<String> t =
        sql.targetDialect()
            .rowHashSum(cols.stream().map(c -> sql.targetDialect().quote(c.target())).toList());
    return s.isPresent() && t.isPresent()
        ? Optional.of(new String[] {s.get(), t.get()})
        : Optional.empty();
  }

  /** {rows, hash sum mod 2^64} of a batch on one side. */
  private static long[] digest(
      Connection c, String q, TableSql sql, List<RowChanges.Changed> batch, boolean source)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(q)) {
      bind(ps, sql, batch, source);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new long[] {rs.getLong(1), rs.getBigDecimal(2).toBigInteger().longValue()};
      }
    }
  }

  private static void bind(
      PreparedStatement ps, TableSql sql, List<RowChanges.Changed> batch, boolean source)
      throws SQLException {
    if (source) {
      sql.bindSourceKeys(ps, batch.stream().map(RowChanges.Changed::sourceKey).toList());
      return;
    }
    int i = 1;
    for (RowChanges.Changed k : batch) {
      for (String v : k.targetKey()) {
        ps.setString(i++, v);
      }
    }
  }

  /** Reads a batch's rows on both sides and diffs them by key. */
  private static void rows(
      Connection src,
      Connection tgt,
      TableSql sql,
      SourceRows reader,
      RowCodec codec,
      List<RowChanges.Changed> batch,
      long[] found,
      long[] diff,
      TreeSet<ValidationReport.Difference> listed)
      throws SQLException {
    Map<String, Object[]> sourceRows = new HashMap<>();
    try (PreparedStatement ps = src.prepareStatement(sql.sourceByKeys(null, batch.size()))) {
      bind(ps, sql, batch, true);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Object[] v = reader.read(rs);
          sourceRows.put(codec.keyEncoding(v), v);
          found[0]++;
        }
      }
    }
    try (PreparedStatement ps = tgt.prepareStatement(sql.targetByKeys(null, batch.size()))) {
      bind(ps, sql, batch, false);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Object[] v = codec.read(rs);
          found[1]++;
          Object[] s = sourceRows.remove(codec.keyEncoding(v));
          if (s == null) {
            diff[1]++;
            add(listed, "extra", codec.keyText(v), List.of());
          } else {
            List<ValidationReport.ValueDifference> values = Validator.differingValues(codec, s, v);
            if (!values.isEmpty()) {
              diff[2]++;
              add(listed, "changed", codec.keyText(v), values);
            }
          }
        }
      }
    }
    for (Object[] v : sourceRows.values()) {
      diff[0]++;
      add(listed, "missing", codec.keyText(v), List.of());
    }
  }

  private static void add(
      TreeSet<ValidationReport.Difference> listed,
      String kind,
      String key,
      List<ValidationReport.ValueDifference> values) {
    listed.add(
        new ValidationReport.Difference(
            kind,
            key,
            values.stream().map(ValidationReport.ValueDifference::column).toList(),
            values));
    if (listed.size() > Validator.MAX_LISTED_DIFFERENCES) {
      listed.pollLast();
    }
  }
}
