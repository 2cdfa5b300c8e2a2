package io.migrationstudio.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a {@link TestDatabase} parameter: the database lives on the shared embedded server of this
 * PostgreSQL major version instead of the default one (see {@link
 * EmbeddedPostgresServer#server(int)} for where its binaries come from).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface PostgresMajor {
  int value();
}
