package io.migrationstudio.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: a parameter of type {@link TestMariaDb} receives a fresh, empty database on
 * the shared embedded MariaDB server. Parameter names become the database name prefix.
 */
public final class MariaDbExtension implements ParameterResolver {
  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == TestMariaDb.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return EmbeddedMariaDbServer.createDatabase(p.getParameter().getName());
  }
}
