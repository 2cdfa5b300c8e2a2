package io.migrationstudio.core.review;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.review.Finding.Level;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks on the target, when a target connection is given: types it does not know yet and target
 * tables that already hold rows (warnings).
 */
final class TargetChecks extends ReviewPart {
  private final MappingDocument mapping;

  TargetChecks(List<Finding> findings, MappingDocument mapping) {
    super(findings);
    this.mapping = mapping;
  }

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
    boolean carried =
        mapping.sourceEngine() != null
            && Dialects.forName(mapping.sourceEngine()).speaksPostgres()
            && targetDialect.speaksPostgres()
            && "identity".equals(mapping.naming());
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
                + (carried
                    ? "); Migrate creates the source's types, domains and extensions before the"
                        + " tables (03-migrate/target-schema.sql) and names any the target"
                        + " refuses in run.md"
                    : "); create it (enum, domain or extension) before Migrate, or map another"
                        + " type"));
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
}
