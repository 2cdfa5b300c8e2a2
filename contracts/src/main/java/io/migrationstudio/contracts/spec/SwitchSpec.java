package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * How traffic is switched at cutover:
 *
 * <ul>
 *   <li>{@code none} (default): the operator repoints the applications;
 *   <li>{@code config-file}: the target's connection settings are written to {@code path}, the
 *       previous content kept for rollback;
 *   <li>{@code command}: the hook {@code command} (argv, no shell) runs with the old and new
 *       connection in its environment ({@code STUDIO_OLD_*}, {@code STUDIO_NEW_*}, passwords
 *       resolved there and nowhere else); exit code 0 means switched. Rollback runs {@code
 *       rollback_command} (default: {@code command} again, with old and new swapped and {@code
 *       STUDIO_SWITCH_DIRECTION=rollback});
 *   <li>{@code pgbouncer}: through PgBouncer's admin console ({@code admin}, a connection to its
 *       {@code pgbouncer} database): {@code PAUSE database}, the {@code [databases]} entry of
 *       {@code database} in the file {@code ini} repointed to the target ({@code entry}, default
 *       host, port and dbname of the target URL), {@code RELOAD}, {@code RESUME}.
 * </ul>
 *
 * {@code timeout}: ISO-8601 duration a hook or a PAUSE may take (default {@value
 * #DEFAULT_TIMEOUT}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SwitchSpec(
    String type,
    String path,
    List<String> command,
    @JsonProperty("rollback_command") List<String> rollbackCommand,
    String timeout,
    ConnectionSpec admin,
    String database,
    String ini,
    String entry) {
  public static final String NONE = "none";
  public static final String CONFIG_FILE = "config-file";
  public static final String COMMAND = "command";
  public static final String PGBOUNCER = "pgbouncer";
  public static final String DEFAULT_TIMEOUT = "PT60S";

  public SwitchSpec {
    type = type == null ? NONE : type;
    command = command == null ? null : List.copyOf(command);
    rollbackCommand = rollbackCommand == null ? null : List.copyOf(rollbackCommand);
  }

  public static SwitchSpec none() {
    return new SwitchSpec(null, null, null, null, null, null, null, null, null);
  }

  /** {@code timeout}, or the default when unset. */
  public String timeoutOrDefault() {
    return timeout == null ? DEFAULT_TIMEOUT : timeout;
  }
}
