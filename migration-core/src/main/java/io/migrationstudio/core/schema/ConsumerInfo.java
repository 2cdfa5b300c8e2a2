package io.migrationstudio.core.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A client of the source seen in its session list: one application (PostgreSQL {@code
 * application_name}; null where the engine does not report one), database user and client host
 * (null for a local socket). {@code sessions} is the largest number of its sessions seen at once
 * while sampling; {@code state} the session states seen (PostgreSQL {@code active}, {@code
 * idle}..., MariaDB the command such as {@code Sleep} or {@code Query}), sorted and joined by
 * {@code ","}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConsumerInfo(
    String application, String user, String host, int sessions, String state) {
  public ConsumerInfo {
    if (sessions < 1) {
      throw new IllegalArgumentException(
          "consumer "
              + application
              + "/"
              + user
              + "@"
              + host
              + " has "
              + sessions
              + " sessions; a consumer is only listed when at least one session was seen");
    }
  }
}
