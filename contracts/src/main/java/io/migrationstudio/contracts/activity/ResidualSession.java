package io.migrationstudio.contracts.activity;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Who still connects to the source during hypercare: one database user, application ({@code
 * application_name} on PostgreSQL; null where the engine reports none) and client address (null
 * over a local socket), with how many sessions it had open when sampled and their states.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResidualSession(
    String user, String application, String client, int sessions, String state) {
  public ResidualSession {
    if (sessions < 1) {
      throw new IllegalArgumentException(
          "a residual session of "
              + user
              + " has "
              + sessions
              + " sessions; only clients seen with at least one session are listed");
    }
  }

  /** {@code user (application) from client: n}. */
  public String describe() {
    return (user == null ? "?" : user)
        + (application == null ? "" : " (" + application + ")")
        + " from "
        + (client == null ? "local socket" : client)
        + ": "
        + sessions;
  }
}
