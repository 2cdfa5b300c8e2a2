package io.migrationstudio.core.cutover.reverse;

import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.SequenceMapping;
import io.migrationstudio.core.mapping.TableMapping;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * At a rollback, puts each sequence of the source (PostgreSQL) past every value used while the
 * target took the writes: logical replication carries rows, not sequences. For a column of the
 * mapping whose source column owns a sequence ({@code serial}, identity), the source sequence is
 * set to the largest of: the value its target counterpart last handed out, the largest value of the
 * column on the source (rows the reverse stream brought back, including keys an application chose
 * itself), and its own last value (a sequence never moves back). A free-standing sequence of the
 * mapping takes its target's last value the same way. {@code setval(seq, v, true)}: the next {@code
 * nextval} returns the value after {@code v}.
 */
final class SourceSequences {
  private SourceSequences() {}

  /** What one sequence was set to. */
  record Set(String sequence, long value) {
    String line() {
      return sequence + " = " + value;
    }
  }

  static List<Set> advance(
      Connection source, Connection target, Dialect sd, Dialect td, MappingDocument mapping)
      throws SQLException {
    List<Set> out = new ArrayList<>();
    String targetSchema = TableSql.targetSchema(mapping, td);
    String sourceSchema = MappingInversion.sourceSchema(mapping, sd);
    for (TableMapping t : mapping.tables()) {
      TableSql sql = new TableSql(sd, td, mapping, t);
      for (ColumnMapping c : t.copiedColumns()) {
        if (c.source() == null) {
          continue;
        }
        String sourceSeq = serialSequence(source, sql.sourceTable(), c.source());
        if (sourceSeq == null) {
          continue;
        }
        String targetSeq = serialSequence(target, sql.targetTable(), c.target());
        if (targetSeq == null) {
          targetSeq =
              mapping.sequences().stream()
                  .filter(s -> t.target().equals(s.table()) && c.target().equals(s.column()))
                  .filter(s -> s.target() != null)
                  .map(s -> td.qualify(targetSchema, s.target()))
                  .findFirst()
                  .orElse(null);
        }
        long used = Math.max(targetSeq == null ? 0 : used(target, targetSeq), 0);
        long max = maxOf(source, sql.sourceTable(), sd.quote(c.source()));
        out.add(set(source, sourceSeq, Math.max(used, max)));
      }
    }
    for (SequenceMapping s : mapping.sequences()) {
      if (s.freeStanding() && s.source() != null && s.target() != null) {
        long used = used(target, td.qualify(targetSchema, s.target()));
        out.add(set(source, sd.qualify(sourceSchema, s.source()), used));
      }
    }
    out.removeIf(s -> s == null);
    return out;
  }

  /** The sequence {@code column} of {@code table} owns, quoted; null when none. */
  private static String serialSequence(Connection c, String table, String column)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_get_serial_sequence(?, ?)")) {
      ps.setString(1, table);
      ps.setString(2, column); // taken literally, case kept
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  /** The last value {@code seq} handed out (0 when none). */
  private static long used(Connection c, String seq) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM " + seq);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long maxOf(Connection c, String table, String column) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT COALESCE(max(" + column + "), 0) FROM " + table);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** {@code setval} to at least {@code value}, never backwards; null when nothing was ever used. */
  private static Set set(Connection source, String seq, long value) throws SQLException {
    long target = Math.max(value, used(source, seq));
    if (target < 1) {
      return null;
    }
    try (PreparedStatement ps = source.prepareStatement("SELECT setval(?::regclass, ?, true)")) {
      ps.setString(1, seq);
      ps.setLong(2, target);
      ps.execute();
    }
    return new Set(seq, target);
  }
}
