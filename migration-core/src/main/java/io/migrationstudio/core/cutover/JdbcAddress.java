package io.migrationstudio.core.cutover;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Host, port and database of a JDBC URL of the form {@code jdbc:<engine>://host[:port]/database},
 * for the switches that hand a connection to something other than a JDBC driver (a hook's
 * environment, a PgBouncer {@code [databases]} entry). Parts a URL does not name are null.
 */
record JdbcAddress(String host, String port, String database) {
  private static final Pattern URL =
      Pattern.compile(
          "^jdbc:[a-z]+://(?:[^@/]*@)?(\\[[^]]+]|[^:/?,]+)(?::(\\d+))?(?:/([^?;]*))?.*$");

  static JdbcAddress parse(String url) {
    Matcher m = URL.matcher(url == null ? "" : url);
    if (!m.matches()) {
      return new JdbcAddress(null, null, null);
    }
    String db = m.group(3);
    return new JdbcAddress(m.group(1), m.group(2), db == null || db.isEmpty() ? null : db);
  }
}
