package io.migrationstudio.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: a parameter of type {@link TestDatabase} receives a fresh, empty database on
 * the shared embedded PostgreSQL server. Parameter names become the database name prefix. A
 * parameter annotated {@link PostgresMajor} gets its database on the server of that major version.
 */
public final class PostgresExtension implements ParameterResolver {
  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == TestDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    String prefix = p.getParameter().getName();
    return p.findAnnotation(PostgresMajor.class)
        .map(major -> EmbeddedPostgresServer.createDatabase(prefix, major.value()))
        .orElseGet(() -> EmbeddedPostgresServer.createDatabase(prefix));
  }
}
