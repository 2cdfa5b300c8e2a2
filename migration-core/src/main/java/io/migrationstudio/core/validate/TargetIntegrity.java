package io.migrationstudio.core.validate;

import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.KeyConstraint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Integrity of one target table (PostgreSQL) against its mapping: duplicates for the primary key
 * and every unique key, NULLs in the mapping's NOT NULL columns, constraints not validated ({@code
 * pg_constraint.convalidated = false}), and the mapping's indexes missing or invalid on the target.
 * Each check reports a count and up to {@value Validator#MAX_INTEGRITY_EXAMPLES} examples, sorted;
 * any count above zero fails the table.
 *
 * <p>What the target's catalogue proves is not re-proved by scanning the table: a key is free of
 * duplicates when a valid, non-partial unique index (or primary key) covers a subset of its columns
 * (the server refuses any duplicate of it), and a column holds no NULL when it carries a NOT NULL
 * constraint that is validated. Such a check reports count 0 with {@code proved_by} naming the
 * proof. Both are enforced by the server for every writer, replication-role sessions included;
 * foreign keys are not (their triggers do not fire under {@code session_replication_role =
 * replica}, which the repair uses), so orphans are always counted.
 */
final class TargetIntegrity {
  static final String DUPLICATE_KEY = "duplicate_key";
  static final String NULL_IN_NOT_NULL = "null_in_not_null";
  static final String CONSTRAINT_NOT_VALIDATED = "constraint_not_validated";
  static final String MISSING_INDEX = "missing_index";

  private final Dialect target;
  private final String table;
  private final String regclass;
  private final TableMapping mapping;

  TargetIntegrity(Dialect target, MappingDocument document, TableMapping mapping) {
    this.target = target;
    this.mapping = mapping;
    String schema = io.migrationstudio.core.copy.TableSql.targetSchema(document, target);
    this.regclass = target.qualify(schema, mapping.target());
    // the keys and NOT NULLs of an inheritance parent hold for its own rows, not its children's
    this.table = mapping.inheritanceParent() ? target.only(regclass) : regclass;
  }

  List<ValidationReport.IntegrityCheck> check(Connection tgt) throws SQLException {
    List<ValidationReport.IntegrityCheck> out = new ArrayList<>();
    if (!mapping.primaryKey().isEmpty()) {
      out.add(
          duplicates(
              tgt,
              "primary key (" + String.join(", ", mapping.primaryKey()) + ")",
              mapping.primaryKey()));
    }
    for (KeyConstraint uk : mapping.uniqueKeys()) {
      out.add(duplicates(tgt, uk.name(), uk.columns()));
    }
    for (ColumnMapping c : mapping.copiedColumns()) {
      if (!c.nullable()) {
        out.add(nulls(tgt, c.target()));
      }
    }
    out.add(notValidated(tgt));
    out.add(missingIndexes(tgt));
    return out;
  }

  /** Key values held by more than one row (rows with a NULL in the key are never duplicates). */
  private ValidationReport.IntegrityCheck duplicates(
      Connection tgt, String name, List<String> columns) throws SQLException {
    String index = uniqueIndex(tgt, columns);
    if (index != null) {
      return new ValidationReport.IntegrityCheck(
          DUPLICATE_KEY, name, 0, List.of(), "catalogue: valid unique index " + index);
    }
    List<String> quoted = columns.stream().map(target::quote).toList();
    StringBuilder groups = new StringBuilder("SELECT ");
    groups.append(keyText(quoted)).append(" AS k FROM ").append(table).append(" WHERE ");
    groups.append(String.join(" AND ", quoted.stream().map(q -> q + " IS NOT NULL").toList()));
    groups.append(" GROUP BY ").append(String.join(", ", quoted)).append(" HAVING count(*) > 1");
    long count = single(tgt, "SELECT count(*) FROM (" + groups + ") d");
    List<String> examples =
        count == 0
            ? List.of()
            : texts(
                tgt,
                "SELECT k FROM ("
                    + groups
                    + ") d ORDER BY k LIMIT "
                    + Validator.MAX_INTEGRITY_EXAMPLES,
                List.of());
    return new ValidationReport.IntegrityCheck(DUPLICATE_KEY, name, count, examples);
  }

  /** Rows with NULL in a column the mapping declares NOT NULL; examples are their keys. */
  private ValidationReport.IntegrityCheck nulls(Connection tgt, String column) throws SQLException {
    if (validatedNotNull(tgt, column)) {
      return new ValidationReport.IntegrityCheck(
          NULL_IN_NOT_NULL, column, 0, List.of(), "catalogue: validated NOT NULL constraint");
    }
    String where = " FROM " + table + " WHERE " + target.quote(column) + " IS NULL";
    long count = single(tgt, "SELECT count(*)" + where);
    List<String> examples = List.of();
    if (count > 0) {
      String key =
          mapping.primaryKey().isEmpty()
              ? "CAST(ctid AS text)"
              : keyText(mapping.primaryKey().stream().map(target::quote).toList());
      examples =
          texts(
              tgt,
              "SELECT k FROM (SELECT "
                  + key
                  + " AS k"
                  + where
                  + ") n ORDER BY k LIMIT "
                  + Validator.MAX_INTEGRITY_EXAMPLES,
              List.of());
    }
    return new ValidationReport.IntegrityCheck(NULL_IN_NOT_NULL, column, count, examples);
  }

  /**
   * Constraints not validated. A foreign key that references a partitioned table has one derived
   * row per referenced partition ({@code conparentid} set); {@code VALIDATE CONSTRAINT} on the key
   * checks every row but leaves the derived rows' {@code convalidated} false (PostgreSQL 15 and 17,
   * seen on pgbench {@code --partitions --foreign-keys}), so a derived row counts as validated when
   * the key it derives from is.
   */
  private ValidationReport.IntegrityCheck notValidated(Connection tgt) throws SQLException {
    List<String> names =
        texts(
            tgt,
            "SELECT c.conname FROM pg_catalog.pg_constraint c WHERE c.conrelid ="
                + " CAST(to_regclass(?) AS oid) AND NOT c.convalidated AND NOT (c.contype = 'f'"
                + " AND c.conparentid <> 0 AND (WITH RECURSIVE up AS (SELECT p.oid, p.conparentid,"
                + " p.convalidated FROM pg_catalog.pg_constraint p WHERE p.oid = c.conparentid"
                + " UNION ALL SELECT p.oid, p.conparentid, p.convalidated FROM"
                + " pg_catalog.pg_constraint p JOIN up ON p.oid = up.conparentid) SELECT"
                + " bool_and(convalidated) FROM up WHERE conparentid = 0)) ORDER BY c.conname",
            List.of(regclass));
    return new ValidationReport.IntegrityCheck(
        CONSTRAINT_NOT_VALIDATED, mapping.target(), names.size(), first(names));
  }

  /** The mapping's indexes with no valid index of that name on the target table. */
  private ValidationReport.IntegrityCheck missingIndexes(Connection tgt) throws SQLException {
    List<String> missing = new ArrayList<>();
    try (PreparedStatement ps =
        tgt.prepareStatement(
            "SELECT count(*) FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid ="
                + " i.indexrelid WHERE i.indrelid = CAST(to_regclass(?) AS oid) AND c.relname = ?"
                + " AND i.indisvalid")) {
      for (IndexInfo ix : mapping.indexes()) {
        ps.setString(1, regclass);
        ps.setString(2, ix.name());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) == 0) {
            missing.add(ix.name());
          }
        }
      }
    }
    List<String> sorted = missing.stream().sorted().toList();
    return new ValidationReport.IntegrityCheck(
        MISSING_INDEX, mapping.target(), sorted.size(), first(sorted));
  }

  /**
   * The name of a valid, non-partial unique index (primary key first) of the target table whose key
   * columns (INCLUDE columns aside, no expression) are all among {@code columns}, or null.
   */
  private String uniqueIndex(Connection tgt, List<String> columns) throws SQLException {
    try (PreparedStatement ps =
        tgt.prepareStatement(
            "SELECT c.relname FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid ="
                + " i.indexrelid WHERE i.indrelid = CAST(to_regclass(?) AS oid) AND i.indisunique"
                + " AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL AND NOT EXISTS"
                + " (SELECT 1 FROM generate_series(0, i.indnkeyatts - 1) s LEFT JOIN"
                + " pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum ="
                + " i.indkey[s] WHERE a.attname IS NULL OR NOT (a.attname = ANY (?)))"
                + " ORDER BY i.indisprimary DESC, c.relname LIMIT 1")) {
      ps.setString(1, regclass);
      ps.setArray(2, tgt.createArrayOf("text", columns.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /**
   * Whether the target column is NOT NULL with nothing left unvalidated (PostgreSQL 18 records NOT
   * NULL constraints in {@code pg_constraint}, where one can be NOT VALID).
   */
  private boolean validatedNotNull(Connection tgt, String column) throws SQLException {
    try (PreparedStatement ps =
        tgt.prepareStatement(
            "SELECT a.attnotnull AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE"
                + " k.conrelid = a.attrelid AND k.contype = 'n' AND NOT k.convalidated AND"
                + " a.attnum = ANY (k.conkey)) FROM pg_catalog.pg_attribute a WHERE a.attrelid ="
                + " CAST(to_regclass(?) AS oid) AND a.attname = ? AND NOT a.attisdropped")) {
      ps.setString(1, regclass);
      ps.setString(2, column);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  private static List<String> first(List<String> all) {
    return all.subList(0, Math.min(all.size(), Validator.MAX_INTEGRITY_EXAMPLES));
  }

  /** A key's display text: its columns as text joined by ", ". */
  private static String keyText(List<String> quoted) {
    return quoted.size() == 1
        ? "CAST(" + quoted.get(0) + " AS text)"
        : "concat_ws(', ', "
            + String.join(", ", quoted.stream().map(q -> "CAST(" + q + " AS text)").toList())
            + ")";
  }

  private static long single(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<String> texts(Connection c, String sql, List<String> params)
      throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        ps.setString(i + 1, params.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }
}
