package io.migrationstudio.core.copy;

import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MappingOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.testkit.TestMariaDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Predicate;

/**
 * The mapping the product proposes for a live PostgreSQL schema under identity naming: the real
 * catalog ({@link InventoryService#introspect}) and the real {@link MappingGenerator}, so the copy
 * and validation tests run on exactly what Mapping hands to Migrate.
 */
public final class TestMappings {
  private static final PostgresDialect PG = new PostgresDialect();

  private TestMappings() {}

  public static MappingDocument identity(Connection c, String sourceSchema, String targetSchema)
      throws SQLException {
    MigrationSpec spec =
        new MigrationSpec(
            "test",
            null,
            new ConnectionSpec("jdbc:postgresql://localhost/source", "u", null, sourceSchema),
            new ConnectionSpec("jdbc:postgresql://localhost/target", "u", null, targetSchema),
            null,
            new MappingOptions("identity", null),
            null,
            null,
            null,
            null,
            null,
            null);
    return new MappingGenerator()
        .generate(InventoryService.introspect(c, PG, sourceSchema, t -> true), spec, null);
  }

  /**
   * The same for the tables of a MariaDB test database that {@code tables} admits, towards a
   * PostgreSQL {@code public} schema.
   */
  public static MappingDocument mariaDbIdentity(
      TestMariaDb maria, Connection c, Predicate<String> tables) throws SQLException {
    MigrationSpec spec =
        new MigrationSpec(
            "test",
            null,
            new ConnectionSpec(maria.jdbcUrl(), "root", null, maria.name()),
            new ConnectionSpec("jdbc:postgresql://localhost/x", "postgres", null, "public"),
            null,
            new MappingOptions("identity", null),
            null,
            null,
            null,
            null,
            null,
            null);
    return new MappingGenerator()
        .generate(
            InventoryService.introspect(c, Dialects.forUrl(maria.jdbcUrl()), maria.name(), tables),
            spec,
            null);
  }
}
