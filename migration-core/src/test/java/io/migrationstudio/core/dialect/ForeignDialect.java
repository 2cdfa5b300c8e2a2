package io.migrationstudio.core.dialect;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Inventory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.function.Predicate;

/**
 * A dialect of an engine the studio has no facets for ({@code oracle}), to prove that a lookup by
 * dialect refuses it instead of falling back to another engine's. It never connects.
 */
public final class ForeignDialect implements Dialect {
  @Override
  public String name() {
    return "oracle";
  }

  @Override
  public boolean accepts(String jdbcUrl) {
    return jdbcUrl.startsWith("jdbc:oracle:");
  }

  @Override
  public String defaultSchema() {
    return "SYSTEM";
  }

  @Override
  public String quote(String identifier) {
    return Dialect.quoteDoubled(identifier);
  }

  @Override
  public MigrationException classify(SQLException e, String what) {
    return Dialect.sqlFailure(ErrorCode.PERMANENT_SQL, e, what, "not supported");
  }

  @Override
  public CanonicalType canonicalType(String nativeType) {
    throw new UnsupportedOperationException("a test dialect has no types");
  }

  @Override
  public Inventory introspect(Connection connection, String schema, Predicate<String> tableFilter) {
    throw new UnsupportedOperationException("a test dialect never connects");
  }

  @Override
  public PreparedStatement streamingQuery(Connection connection, String sql, int fetchSize) {
    throw new UnsupportedOperationException("a test dialect never connects");
  }
}
