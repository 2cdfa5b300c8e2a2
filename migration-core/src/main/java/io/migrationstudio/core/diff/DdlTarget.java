package io.migrationstudio.core.diff;

import io.migrationstudio.core.dialect.Dialect;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a {@link SchemaDiff}'s DDL is written for: the engine and, when known, the server version of
 * the database the scripts run on (OLD's: the forward script changes it). Where the engine's
 * versions differ in what they change in place (PostgreSQL 17's {@code ALTER COLUMN ... SET
 * EXPRESSION}), an unknown version gets DDL that works on every version, and the change says so.
 */
public record DdlTarget(Dialect dialect, String serverVersion) {
  private static final Pattern MAJOR = Pattern.compile("^\\s*(\\d+)");

  public DdlTarget {
    Objects.requireNonNull(dialect, "dialect");
    serverVersion = serverVersion == null || serverVersion.isBlank() ? null : serverVersion.trim();
  }

  /** The engine's DDL for a server of unknown version. */
  public static DdlTarget of(Dialect dialect) {
    return new DdlTarget(dialect, null);
  }

  /**
   * The DDL that changes {@code old}: {@code version} when given (a file input's explicit option),
   * else {@code old}'s server version when it was read from a server of {@code dialect}'s engine (a
   * live database, an {@code inventory.json}); unknown otherwise (the toolkit's format).
   */
  public static DdlTarget forChanging(Dialect dialect, DiffSchema old, String version) {
    if (version != null && !version.isBlank()) {
      return new DdlTarget(dialect, version);
    }
    DiffSchema.Server server = old.server();
    return server != null && dialect.name().equalsIgnoreCase(server.engine())
        ? new DdlTarget(dialect, server.version())
        : of(dialect);
  }

  /** The leading number of the version ({@code 16} of {@code 16.11 (Debian ...)}), if known. */
  public OptionalInt major() {
    if (serverVersion == null) {
      return OptionalInt.empty();
    }
    Matcher m = MAJOR.matcher(serverVersion);
    return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
  }

  /** Whether the server is known to be at least {@code major}. */
  public boolean atLeast(int major) {
    return major().orElse(-1) >= major;
  }

  /** {@code postgresql 16.11}, or {@code postgresql (server version unknown)}. */
  public String describe() {
    return dialect.name()
        + (serverVersion == null ? " (server version unknown)" : " " + serverVersion);
  }
}
