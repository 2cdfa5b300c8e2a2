package io.migrationstudio.core.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.ForeignDialect;
import org.junit.jupiter.api.Test;

/** The source type mapper is a facet of the source dialect, found by the dialect's type. */
class SourceTypeMapperTest {

  @Test
  void everyDialectFoundThroughServiceLoaderHasItsOwnMapper() {
    for (Dialect d : Dialects.all()) {
      assertTrue(SourceTypeMapper.of(d).dialect().isInstance(d), d.name());
    }
    assertInstanceOf(MariaDbSourceTypes.class, SourceTypeMapper.forEngine("mariadb"));
    assertInstanceOf(PostgresSourceTypes.class, SourceTypeMapper.forEngine("postgresql"));
    assertInstanceOf(SqliteSourceTypes.class, SourceTypeMapper.forEngine("sqlite"));
  }

  @Test
  void aDialectWithoutMapperIsRefusedNamingItsEngine() {
    MigrationException e =
        assertThrows(MigrationException.class, () -> SourceTypeMapper.of(new ForeignDialect()));
    assertEquals(ErrorCode.UNSUPPORTED_TYPE, e.code());
    assertTrue(e.getMessage().contains("'oracle'"), e.getMessage());
    assertTrue(e.getMessage().contains("[postgresql, mariadb, sqlite]"), e.getMessage());
  }

  @Test
  void anEngineWithoutDialectIsRefusedNamingIt() {
    MigrationException e =
        assertThrows(MigrationException.class, () -> SourceTypeMapper.forEngine("oracle"));
    assertEquals(ErrorCode.UNSUPPORTED_TYPE, e.code());
    assertTrue(e.getMessage().contains("'oracle'"), e.getMessage());
    assertTrue(e.getMessage().contains("[postgresql, mariadb, sqlite]"), e.getMessage());
  }
}
