package io.migrationstudio.core.dialect.postgres;

import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.dialect.ProbeQueries;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The risk checks' data questions on PostgreSQL. Each answer is two queries over the table: {@code
 * count(*)} of the matching rows and their first {@link #MAX_EXAMPLES} keys in key order. Names are
 * quoted through {@link PostgresDialect#quote}; values (the NUL byte, limits, names in catalog
 * lookups) are bind parameters. PostgreSQL's text types cannot hold NUL bytes and its date types no
 * zero dates, so {@link #cannotHold} says so and the checks need not scan for them. A
 * table-inheritance parent (a table other tables {@code INHERITS} from, the inventory's {@code
 * inheritance_children}) is read {@code ONLY}: its children are tables of their own, copied apart,
 * and their rows must neither be counted nor sampled as the parent's.
 */
final class PostgresDataProbe implements DataProbe {
  private final PostgresDialect dialect;
  private final Connection connection;
  private final String schema;
  // the schema's table-inheritance parents, read once on first use
  private java.util.Set<String> inheritanceParents;

  PostgresDataProbe(PostgresDialect dialect, Connection connection, String schema) {
    this.dialect = dialect;
    this.connection = connection;
    this.schema = schema;
  }

  @Override
  public String engine() {
    return dialect.name();
  }

  @Override
  public Optional<io.migrationstudio.core.dialect.CaptureReadiness> captureReadiness() {
    return Optional.of(new PostgresCaptureReadiness(dialect, connection, schema));
  }

  @Override
  public Optional<String> cannotHold(Anomaly anomaly) {
    return Optional.of(
        switch (anomaly) {
          case NUL_IN_TEXT -> "PostgreSQL text types reject NUL bytes (0x00)";
          case ZERO_DATE -> "PostgreSQL date and timestamp types reject zero dates";
        });
  }

  /**
   * bytea columns are searched for the byte 0x00; other columns through their UTF-8 text form
   * (which PostgreSQL guarantees free of NUL, so the answer there is always zero).
   */
  @Override
  public Sample nulBytes(String table, String column, List<String> keyColumns) {
    String what = "probing " + table + "." + column + " for NUL bytes";
    try {
      String value =
          isBytea(table, column)
              ? dialect.quote(column)
              : "convert_to(" + dialect.quote(column) + "::text, 'UTF8')";
      return sample(
          table,
          "position(?::bytea IN " + value + ") > 0",
          List.of(new byte[] {0}),
          keyColumns,
          what);
    } catch (SQLException e) {
      throw dialect.classify(e, what);
    }
  }

  /** PostgreSQL rejects zero dates on input, so no row can hold one (see {@link #cannotHold}). */
  @Override
  public Sample zeroDates(String table, String column, List<String> keyColumns) {
    return Sample.NONE;
  }

  @Override
  public Sample valuesAbove(
      String table, String column, BigInteger limit, List<String> keyColumns) {
    String what = "probing " + table + "." + column + " for values above " + limit;
    return sample(
        table,
        dialect.quote(column) + "::numeric > ?",
        List.of(new BigDecimal(limit)),
        keyColumns,
        what);
  }

  @Override
  public Sample caseInsensitiveDuplicates(
      String table, List<String> keyColumns, List<String> textColumns) {
    String what = "probing " + table + " " + keyColumns + " for case-insensitive duplicates";
    StringJoiner folded = new StringJoiner(", ");
    StringJoiner original = new StringJoiner(", ", "ROW(", ")::text");
    StringJoiner notNull = new StringJoiner(" AND ");
    StringJoiner order = new StringJoiner(", ");
    for (int i = 0; i < keyColumns.size(); i++) {
      String q = dialect.quote(keyColumns.get(i));
      folded.add(
          (textColumns.contains(keyColumns.get(i)) ? "lower(" + q + "::text)" : q + "::text")
              + " AS k"
              + i);
      original.add(q);
      notNull.add(q + " IS NOT NULL");
      order.add("k" + i + " COLLATE \"C\"");
    }
    String groups =
        "WITH g AS (SELECT "
            + folded
            + ", count(*) AS n FROM "
            + from(table)
            + " WHERE "
            + notNull
            + " GROUP BY "
            + order.toString().replace(" COLLATE \"C\"", "")
            + " HAVING count(DISTINCT "
            + original
            + ") > 1) ";
    try {
      return ProbeQueries.countThenKeys(
          connection,
          groups + "SELECT coalesce(sum(n), 0) FROM g",
          groups + "SELECT * FROM g ORDER BY " + order + " LIMIT " + MAX_EXAMPLES,
          keyColumns.size());
    } catch (SQLException e) {
      throw dialect.classify(e, what);
    }
  }

  /**
   * pg_class lists every table whatever the user's privileges, so none is unlisted; a table is
   * unreadable without USAGE on its schema or SELECT on the whole table (column grants only).
   */
  @Override
  public Optional<Readability> readability() {
    String what = "checking which tables of schema " + schema + " the user can read";
    List<String> unreadable = new ArrayList<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
                + " AND NOT (has_schema_privilege(n.oid, 'USAGE')"
                + " AND has_table_privilege(c.oid, 'SELECT'))"
                + " ORDER BY c.relname COLLATE \"C\"")) {
      ps.setString(1, schema);
      unreadable.addAll(ProbeQueries.firstColumn(ps));
    } catch (SQLException e) {
      throw dialect.classify(e, what);
    }
    return Optional.of(new Readability(unreadable, null));
  }

  @Override
  public List<String> nonEmptyTables() {
    String what = "listing the non-empty tables of schema " + schema;
    List<String> tables = new ArrayList<>();
    try {
      try (PreparedStatement ps =
          connection.prepareStatement(
              "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                  + " WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
                  + " ORDER BY c.relname COLLATE \"C\"")) {
        ps.setString(1, schema);
        tables.addAll(ProbeQueries.firstColumn(ps));
      }
      return ProbeQueries.nonEmpty(connection, tables, this::from);
    } catch (SQLException e) {
      throw dialect.classify(e, what);
    }
  }

  @Override
  public Optional<String> defaultCollation() {
    try (PreparedStatement ps =
            connection.prepareStatement(
                "SELECT datcollate FROM pg_database WHERE datname = current_database()");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
    } catch (SQLException e) {
      throw dialect.classify(e, "reading the database's default collation");
    }
  }

  @Override
  public Optional<Boolean> hasExtension(String name) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = ?)")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return Optional.of(rs.getBoolean(1));
      }
    } catch (SQLException e) {
      throw dialect.classify(e, "looking for extension " + name);
    }
  }

  @Override
  public Optional<List<Extension>> extensions() {
    String sql =
        """
        SELECT COALESCE(a.name, e.extname) AS name, e.extversion, a.default_version
          FROM pg_available_extensions a
          FULL JOIN pg_extension e ON e.extname = a.name
         ORDER BY 1
        """;
    List<Extension> out = new java.util.ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(
            new Extension(
                rs.getString("name"), rs.getString("extversion"), rs.getString("default_version")));
      }
    } catch (SQLException e) {
      throw dialect.classify(e, "listing the extensions");
    }
    return Optional.of(out);
  }

  private boolean isBytea(String table, String column) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT a.atttypid = 'bytea'::regtype FROM pg_attribute a"
                + " WHERE a.attrelid = ?::regclass AND a.attname = ? AND NOT a.attisdropped")) {
      ps.setString(1, dialect.qualify(schema, table));
      ps.setString(2, column);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /**
   * {@code table} as a read of its own rows names it: {@code ONLY schema.table} for a
   * table-inheritance parent (an ordinary table with children, as the catalog's {@code
   * inheritance_children}; a partitioned table's rows are its partitions', read whole).
   */
  private String from(String table) {
    if (inheritanceParents == null) {
      String what = "listing the table-inheritance parents of schema " + schema;
      try (PreparedStatement ps =
          connection.prepareStatement(
              "SELECT DISTINCT p.relname FROM pg_inherits i"
                  + " JOIN pg_class p ON p.oid = i.inhparent"
                  + " JOIN pg_namespace n ON n.oid = p.relnamespace"
                  + " WHERE n.nspname = ? AND p.relkind = 'r'")) {
        ps.setString(1, schema);
        inheritanceParents = java.util.Set.copyOf(ProbeQueries.firstColumn(ps));
      } catch (SQLException e) {
        throw dialect.classify(e, what);
      }
    }
    String qualified = dialect.qualify(schema, table);
    return inheritanceParents.contains(table) ? dialect.only(qualified) : qualified;
  }

  /** Count of rows matching {@code condition}, then up to five of their keys in key order. */
  private Sample sample(
      String table, String condition, List<Object> params, List<String> keyColumns, String what) {
    return ProbeQueries.sample(
        connection, dialect, from(table), condition, params, keyColumns, "%s::text", what);
  }
}
