package io.migrationstudio.core.identity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Approvers' keys in git's and OpenSSH's allowed-signers form, one key a line:
 *
 * <pre>
 *   principals [options] keytype base64-key [comment]
 *   alice ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... alice@laptop
 *   carol,change-board namespaces="migration-studio" ecdsa-sha2-nistp256 AAAAE2Vj...
 * </pre>
 *
 * Blank lines and {@code #} comments are skipped. The only option accepted is {@code
 * namespaces="..."}, which must then include {@value ReviewPayload#NAMESPACE}; principals are plain
 * names (no wildcard patterns, which would let one line speak for approvers nobody listed). Every
 * line is checked; every problem is reported, naming where the line came from.
 */
public final class AllowedSigners {
  /** Key types a line may name; those outside {@link SshPublicKey#TYPES} are refused clearly. */
  private static final Set<String> KEY_TYPES =
      Set.of(
          SshPublicKey.ED25519,
          SshPublicKey.RSA,
          SshPublicKey.ECDSA_P256,
          "ecdsa-sha2-nistp384",
          "ecdsa-sha2-nistp521",
          "ssh-dss",
          "sk-ssh-ed25519@openssh.com",
          "sk-ecdsa-sha2-nistp256@openssh.com");

  /** One line: who it speaks for, the key, and where it came from ({@code source}). */
  public record Entry(List<String> principals, SshPublicKey key, String line, String source) {
    public Entry {
      principals = List.copyOf(principals);
    }
  }

  /** The entries that parsed and every problem of those that did not. */
  public record Parsed(List<Entry> entries, List<String> problems) {
    public Parsed {
      entries = List.copyOf(entries);
      problems = List.copyOf(problems);
    }

    /** The entries that list {@code principal}. */
    public List<Entry> forPrincipal(String principal) {
      return entries.stream().filter(e -> e.principals().contains(principal)).toList();
    }

    /** Principals listed with more than one key, each with the sources of its lines. */
    public Map<String, List<String>> duplicates() {
      Map<String, List<String>> seen = new LinkedHashMap<>();
      for (Entry e : entries) {
        for (String p : e.principals()) {
          seen.computeIfAbsent(p, k -> new ArrayList<>()).add(e.source());
        }
      }
      seen.values().removeIf(l -> l.size() < 2);
      return seen;
    }
  }

  private AllowedSigners() {}

  /** Parses the lines of {@code text}; {@code source} names them in problems ("file:line"). */
  public static Parsed parse(String text, String source) {
    List<Entry> entries = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = source + ":" + (i + 1);
      try {
        entries.add(parseLine(line, where));
      } catch (SignatureFormatException e) {
        problems.add(where + ": " + e.getMessage());
      }
    }
    return new Parsed(entries, problems);
  }

  /** Parses one line; {@code source} is kept on the entry. */
  public static Entry parseLine(String line, String source) {
    List<String> fields = fields(line.strip());
    if (fields.size() < 3) {
      throw new SignatureFormatException(
          "'"
              + shorten(line)
              + "' is not an allowed-signers line; expected: principal [options] keytype key,"
              + " e.g. alice ssh-ed25519 AAAAC3Nza... (the principal, then the content of the"
              + " approver's .pub file)");
    }
    List<String> principals = principals(unquote(fields.get(0)));
    int next = 1;
    if (!KEY_TYPES.contains(fields.get(1))) {
      options(fields.get(1));
      next = 2;
    }
    if (fields.size() < next + 2) {
      throw new SignatureFormatException(
          "'" + shorten(line) + "' has no key after the principal and options");
    }
    String type = fields.get(next);
    if (!SshPublicKey.TYPES.contains(type)) {
      throw new SignatureFormatException(
          "key type "
              + type
              + " is not supported; use one of "
              + SshPublicKey.TYPES
              + " (ssh-keygen -t ed25519 makes a new key)");
    }
    return new Entry(principals, SshPublicKey.parse(type, fields.get(next + 1)), line, source);
  }

  private static List<String> principals(String field) {
    List<String> out = new ArrayList<>();
    for (String p : field.split(",", -1)) {
      if (p.isBlank()) {
        throw new SignatureFormatException("an empty principal in '" + field + "'");
      }
      if (p.chars().anyMatch(c -> c == '*' || c == '?' || c == '!')) {
        throw new SignatureFormatException(
            "principal pattern '"
                + p
                + "' is not supported; list each approver by the exact name used in"
                + " approvers:");
      }
      out.add(p);
    }
    return out;
  }

  private static void options(String field) {
    for (String option : splitOutsideQuotes(field)) {
      String name = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
      name = name.toLowerCase(Locale.ROOT);
      if (!name.equals("namespaces")) {
        throw new SignatureFormatException(
            "option '"
                + option
                + "' is not supported (only namespaces=\""
                + ReviewPayload.NAMESPACE
                + "\" is); remove it, or check that the line is principal [options] keytype key");
      }
      String value = unquote(option.substring(option.indexOf('=') + 1));
      if (!List.of(value.split(",")).stream()
          .map(String::strip)
          .toList()
          .contains(ReviewPayload.NAMESPACE)) {
        throw new SignatureFormatException(
            "namespaces=\""
                + value
                + "\" does not include "
                + ReviewPayload.NAMESPACE
                + ", so this key cannot sign reviews; add it to the list");
      }
    }
  }

  /** Whitespace-separated fields; double quotes keep spaces inside a field. */
  private static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (char c : line.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      }
      if (!quoted && Character.isWhitespace(c)) {
        if (cur.length() > 0) {
          out.add(cur.toString());
          cur.setLength(0);
        }
      } else {
        cur.append(c);
      }
    }
    if (quoted) {
      throw new SignatureFormatException("'" + shorten(line) + "' has an unterminated quote");
    }
    if (cur.length() > 0) {
      out.add(cur.toString());
    }
    return out;
  }

  private static List<String> splitOutsideQuotes(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (char c : s.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      }
      if (!quoted && c == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")
        ? s.substring(1, s.length() - 1)
        : s;
  }

  private static String shorten(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60) + "...";
  }
}
