package io.migrationstudio.core.cdc.apply;

import io.migrationstudio.core.cdc.ChunkSnapshot;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.copy.Ledger;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.schema.ForeignKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Validates the foreign keys an online load left NOT VALID, once the change stream has passed the
 * end of the copy.
 *
 * <p>Each chunk of an online copy reads its own snapshot, so a child chunk read after a parent's
 * insert or key change may reference a key that the parent's earlier chunk does not have, until the
 * stream applies the parent's change. The load therefore adds its foreign keys NOT VALID (they
 * enforce and cascade for every later write); when the stream's committed position is past every
 * chunk's snapshot, the target holds every table at one source state, and {@code VALIDATE
 * CONSTRAINT} must pass. One that does not is reported with its orphan count and example rows,
 * never passed over.
 *
 * <p>Whether the stream passed the copy is decided from the positions when they compare (a binlog
 * position against a MariaDB chunk's binlog position). A PostgreSQL chunk's snapshot (xids) does
 * not compare with a WAL position: there the caller runs after the Migrate checker saw the stream
 * caught up, which is after the load finished, so after every chunk was read.
 */
public final class ForeignKeyValidation {
  /** Example rows named per constraint that cannot be validated. */
  static final int EXAMPLES = 5;

  private final Dialect target;
  private final String studioSchema;

  public ForeignKeyValidation(Dialect target, String studioSchema) {
    this.target = Objects.requireNonNull(target);
    this.studioSchema = Objects.requireNonNull(studioSchema);
  }

  /**
   * A foreign key left NOT VALID: {@code orphans} child rows (examples: key, then the reference)
   * reference no parent row, or ({@code orphans} -1) the stream has not passed the copy yet.
   */
  public record Failure(
      String table, String constraint, long orphans, List<String> examples, String detail) {
    public Failure {
      examples = List.copyOf(examples);
    }

    /** What failed, for which constraint, and what to do. */
    public String message() {
      if (orphans < 0) {
        return "foreign key " + constraint + " of table " + table + " is not validated: " + detail;
      }
      return "foreign key "
          + constraint
          + " of table "
          + table
          + " cannot be validated: "
          + orphans
          + " row(s) reference no parent row (e.g. "
          + String.join("; ", examples)
          + "); "
          + detail;
    }
  }

  /**
   * Validates every foreign key of {@code mapping} that is NOT VALID on the target, each in its own
   * transaction ({@code target} in auto-commit), when the stream of {@code capture} has passed the
   * end of {@code migration}'s copy; returns those that could not be (empty: all are validated).
   */
  public List<Failure> validate(
      Connection tgt, MappingDocument mapping, String migration, String capture)
      throws SQLException {
    List<Failure> out = new ArrayList<>();
    String schema = TableSql.targetSchema(mapping, target);
    String behind = null;
    for (TableMapping t : mapping.tables()) {
      String child = target.qualify(schema, t.target());
      for (ForeignKey fk : t.foreignKeys()) {
        if (validated(tgt, child, fk.name())) {
          continue;
        }
        if (behind == null) {
          behind = notPastTheCopy(tgt, migration, capture);
        }
        if (!behind.isEmpty()) {
          out.add(new Failure(t.target(), fk.name(), -1, List.of(), behind));
          continue;
        }
        try (Statement st = tgt.createStatement()) {
          st.execute("ALTER TABLE " + child + " VALIDATE CONSTRAINT " + target.quote(fk.name()));
        } catch (SQLException e) {
          if (!"23503".equals(e.getSQLState())) {
            throw target.classify(e, "validating foreign key " + fk.name() + " of " + child);
          }
          out.add(orphans(tgt, schema, t, fk));
        }
      }
    }
    return out;
  }

  private boolean validated(Connection tgt, String table, String constraint) throws SQLException {
    try (PreparedStatement ps =
        tgt.prepareStatement(
            "SELECT convalidated FROM pg_catalog.pg_constraint WHERE conrelid ="
                + " CAST(to_regclass(?) AS oid) AND conname = ?")) {
      ps.setString(1, table);
      ps.setString(2, constraint);
      try (ResultSet rs = ps.executeQuery()) {
        // a missing constraint is the integration check's finding, not this one's
        return !rs.next() || rs.getBoolean(1);
      }
    }
  }

  /**
   * Empty when the stream's committed position is past every chunk's snapshot it can be compared
   * with; otherwise why not.
   */
  public String notPastTheCopy(Connection tgt, String migration, String capture)
      throws SQLException {
    StreamPosition at;
    try {
      at =
          new StreamPositions(target, studioSchema)
              .read(tgt, capture)
              .map(StreamPositions.Stored::position)
              .orElse(null);
    } catch (SQLException e) {
      if (!"42P01".equals(e.getSQLState())) {
        throw e;
      }
      at = null; // no stream_position table: the stream has applied nothing yet
    }
    String ledger = new Ledger(target, studioSchema).chunkTable();
    try (PreparedStatement ps =
        tgt.prepareStatement(
            "SELECT table_name, chunk, snapshot FROM "
                + ledger
                + " WHERE migration = ? AND snapshot IS NOT NULL ORDER BY table_name, chunk")) {
      ps.setString(1, migration);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (ChunkSnapshot.parse(rs.getString(3)) instanceof ChunkSnapshot.BinlogSnapshot b
              && (at == null || at.compareTo(b.position()) < 0)) {
            return "the change stream (at "
                + (at == null ? "its start" : at.text())
                + ") has not passed the end of the copy (chunk "
                + rs.getInt(2)
                + " of table "
                + rs.getString(1)
                + " was read at "
                + b.position().text()
                + "); validate again once the stream has caught up";
          }
        }
      }
    }
    return "";
  }

  /** The orphans of {@code fk}: count and examples (child key, then its reference). */
  private Failure orphans(Connection tgt, String schema, TableMapping t, ForeignKey fk)
      throws SQLException {
    String child = target.qualify(schema, t.target());
    String parent = target.qualify(schema, fk.refTable());
    StringBuilder where = new StringBuilder(" FROM " + child + " c WHERE ");
    StringBuilder match = new StringBuilder();
    for (int i = 0; i < fk.columns().size(); i++) {
      String col = "c." + target.quote(fk.columns().get(i));
      where.append(col).append(" IS NOT NULL AND ");
      match
          .append(i == 0 ? "" : " AND ")
          .append("p.")
          .append(target.quote(fk.refColumns().get(i)))
          .append(" = ")
          .append(col);
    }
    where.append("NOT EXISTS (SELECT 1 FROM ").append(parent).append(" p WHERE ").append(match);
    where.append(")");
    long count;
    try (Statement st = tgt.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*)" + where)) {
      rs.next();
      count = rs.getLong(1);
    }
    List<String> key = t.primaryKey().isEmpty() ? fk.columns() : t.primaryKey();
    String keyText = text(key);
    String example =
        keyText + " || ' -> " + fk.refTable() + "(' || " + text(fk.columns()) + " || ')'";
    List<String> examples = new ArrayList<>();
    try (Statement st = tgt.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT " + example + where + " ORDER BY " + keyText + " LIMIT " + EXAMPLES)) {
      while (rs.next()) {
        examples.add(rs.getString(1));
      }
    }
    return new Failure(
        t.target(),
        fk.name(),
        count,
        examples,
        "the constraint stays NOT VALID; fix or delete those rows on the source (the stream"
            + " carries the change), or on the target, then validate again");
  }

  private String text(List<String> columns) {
    List<String> parts = new ArrayList<>();
    for (String c : columns) {
      parts.add("COALESCE(CAST(c." + target.quote(c) + " AS text), 'NULL')");
    }
    return parts.size() == 1 ? parts.get(0) : "concat_ws(', ', " + String.join(", ", parts) + ")";
  }
}
