package io.migrationstudio.core.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.ForeignDialect;
import org.junit.jupiter.api.Test;

/** The review's profile SQL is a facet of the source dialect, found by the dialect's type. */
class ProfileSqlTest {

  @Test
  void everyDialectFoundThroughServiceLoaderHasItsOwnProfileSql() {
    for (Dialect d : Dialects.all()) {
      assertTrue(ProfileSql.of(d).dialect().isInstance(d), d.name());
    }
    assertEquals(
        3, Dialects.all().stream().map(d -> ProfileSql.of(d).getClass()).distinct().count());
  }

  @Test
  void anUnknownEngineIsRefusedNotProfiledInPostgresSql() {
    MigrationException e =
        assertThrows(MigrationException.class, () -> ProfileSql.of(new ForeignDialect()));
    assertEquals(ErrorCode.UNSUPPORTED_TYPE, e.code());
    assertTrue(e.getMessage().contains("'oracle'"), e.getMessage());
    assertTrue(e.getMessage().contains("[postgresql, mariadb, sqlite]"), e.getMessage());
  }
}
