package io.migrationstudio.core.dialect;

/**
 * Resolves a connection setting that may be a secret reference ({@code ${env:NAME}}, {@code
 * ${file:/path}}) at the moment a connection is opened; {@link
 * io.migrationstudio.core.spec.SecretResolver} is the implementation. It is an interface of the
 * dialect package so that opening a connection does not depend on the spec package, which itself
 * uses the dialects (no dialect ↔ spec cycle).
 */
@FunctionalInterface
public interface Secrets {
  /** The value a setting names (null and empty stay as they are); {@code key} names the setting. */
  String resolve(String value, String key);
}
