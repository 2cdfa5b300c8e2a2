package io.migrationstudio.core.cutover;

import io.migrationstudio.core.cutover.StepRecorder.CheckFailed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code [databases]} section of a PgBouncer ini file: reads one database's entry ({@code name
 * = host=... port=... dbname=...}) and replaces it, touching no other line. Writes go to a
 * temporary file in the same directory, given the original's permissions (and owner and group,
 * where allowed: PgBouncer often runs as its own user), then moved over it atomically, so
 * PgBouncer's RELOAD reads either the old or the new file.
 */
final class PgBouncerIni {
  private final Path file;

  PgBouncerIni(Path file) {
    this.file = file;
  }

  /** The connection string of {@code db} in {@code [databases]}. */
  String entry(String db) throws IOException {
    List<String> lines = read();
    int i = find(lines, db);
    return value(lines.get(i));
  }

  /** Replaces the entry of {@code db}; returns the one it replaces. */
  String replace(String db, String entry) throws IOException {
    List<String> lines = read();
    int i = find(lines, db);
    String was = value(lines.get(i));
    String line = lines.get(i);
    lines.set(i, line.substring(0, line.indexOf('=') + 1) + " " + entry);
    write(String.join("\n", lines) + "\n");
    return was;
  }

  /** {@code entry} with its host, port and dbname set to those of {@code to}; the rest kept. */
  static String repoint(String entry, JdbcAddress to) {
    Map<String, String> s = settings(entry);
    if (to.host() != null) {
      s.put("host", to.host());
    }
    if (to.port() != null) {
      s.put("port", to.port());
    }
    if (to.database() != null) {
      s.put("dbname", to.database());
    }
    List<String> parts = new ArrayList<>();
    s.forEach((k, v) -> parts.add(k + "=" + quote(v)));
    return String.join(" ", parts);
  }

  /** The {@code key=value} settings of a connection string, in order ('quoted' values allowed). */
  static Map<String, String> settings(String entry) {
    Map<String, String> out = new LinkedHashMap<>();
    int i = 0;
    int n = entry.length();
    while (i < n) {
      while (i < n && Character.isWhitespace(entry.charAt(i))) {
        i++;
      }
      int eq = entry.indexOf('=', i);
      if (i >= n || eq < 0) {
        break;
      }
      String key = entry.substring(i, eq).strip().toLowerCase(Locale.ROOT);
      i = eq + 1;
      while (i < n && Character.isWhitespace(entry.charAt(i))) {
        i++;
      }
      StringBuilder v = new StringBuilder();
      if (i < n && entry.charAt(i) == '\'') {
        i++;
        while (i < n) {
          char c = entry.charAt(i++);
          if (c == '\'' && i < n && entry.charAt(i) == '\'') {
            v.append('\'');
            i++;
          } else if (c == '\'') {
            break;
          } else {
            v.append(c);
          }
        }
      } else {
        while (i < n && !Character.isWhitespace(entry.charAt(i))) {
          v.append(entry.charAt(i++));
        }
      }
      out.put(key, v.toString());
    }
    return out;
  }

  private static String quote(String v) {
    return v.isEmpty() || v.chars().anyMatch(c -> Character.isWhitespace(c) || c == '\'')
        ? "'" + v.replace("'", "''") + "'"
        : v;
  }

  private List<String> read() throws IOException {
    if (!Files.isReadable(file)) {
      throw new CheckFailed(
          "cutover.switch.ini " + file + " does not exist or cannot be read by the worker's user");
    }
    return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  /** Index of {@code db}'s line inside {@code [databases]}. */
  private int find(List<String> lines, String db) {
    boolean inDatabases = false;
    for (int i = 0; i < lines.size(); i++) {
      String t = lines.get(i).strip();
      if (t.startsWith("[")) {
        inDatabases = t.equalsIgnoreCase("[databases]");
        continue;
      }
      if (!inDatabases || t.isEmpty() || t.startsWith(";") || t.startsWith("#")) {
        continue;
      }
      int eq = t.indexOf('=');
      if (eq > 0) {
        String key = t.substring(0, eq).strip();
        if (key.length() > 1 && key.startsWith("\"") && key.endsWith("\"")) {
          key = key.substring(1, key.length() - 1);
        }
        if (key.equals(db)) {
          return i;
        }
      }
    }
    throw new CheckFailed(
        "cutover.switch.ini "
            + file
            + " has no entry for database "
            + db
            + " in its [databases] section; add `"
            + db
            + " = host=... port=... dbname=...` (the source) and RELOAD PgBouncer first");
  }

  private static String value(String line) {
    return line.substring(line.indexOf('=') + 1).strip();
  }

  private void write(String content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, ".studio-pgbouncer", ".tmp");
    try {
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
      if (view != null) {
        PosixFileAttributes attrs = view.readAttributes();
        Files.setPosixFilePermissions(tmp, attrs.permissions());
        PosixFileAttributeView tmpView =
            Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
        try {
          tmpView.setOwner(attrs.owner());
          tmpView.setGroup(attrs.group());
        } catch (IOException notAllowed) {
          // only root may give a file away; the permissions above still let PgBouncer read it
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
