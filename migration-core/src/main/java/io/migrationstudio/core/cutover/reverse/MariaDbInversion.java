package io.migrationstudio.core.cutover.reverse;

import io.migrationstudio.core.cutover.reverse.MappingInversion.Width;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a MariaDB/MySQL column's forward type change ({@code source_type} → PostgreSQL {@code type})
 * relates the PostgreSQL type to the source type, for {@link MappingInversion}: the same pair the
 * other way round is exact ({@link Width#SAME}), a widening ({@link Width#WIDER}: the way back
 * works, a value the source type cannot hold stops the reverse stream naming the row), or has no
 * inverse ({@link Width#NARROWER}, {@link Width#OTHER}).
 *
 * <p>The type catalogue's own pairs ({@code MariaDbSourceTypes}) are exact or wider: {@code int} →
 * {@code integer} and {@code bigint} → {@code bigint} are exact, unsigned and smaller integers
 * widen (ranges compared); {@code enum}/{@code set} → {@code text}/{@code text[]} and the binary
 * and shorter text types widen (members, byte lengths); {@code datetime(n)} → {@code timestamp(n)}
 * and {@code time(n)} → {@code time(n)} are exact when the precisions are equal (the catalogue
 * keeps the source's digits, 0 when none: PostgreSQL rounds a value written there to what MariaDB
 * holds) and widen when the target has more (MariaDB cuts the extra digits without an error);
 * {@code timestamp(n)} → {@code timestamptz(n)} widens (MariaDB holds 1970–2038 only); a spatial
 * column kept as {@code bytea} (its stored bytes, by a type rule) widens. A {@code datetime} read
 * as {@code timestamptz} in a zone, and any pair the catalogue does not know, is {@link
 * Width#OTHER}.
 */
final class MariaDbInversion {
  private MariaDbInversion() {}

  private static final Pattern ARGS = Pattern.compile("\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\)");
  private static final List<String> SPATIAL =
      List.of(
          "geometry",
          "point",
          "linestring",
          "polygon",
          "multipoint",
          "multilinestring",
          "multipolygon",
          "geometrycollection");

  private static final List<String> INTEGERS =
      List.of("tinyint", "smallint", "mediumint", "int", "integer", "bigint");

  /** The PostgreSQL type {@code pgType} against the MariaDB type {@code mariaType}. */
  static Width compare(String mariaType, String pgType) {
    String m = mariaType.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    String base = base(m);
    MappingInversion.Type pg = MappingInversion.Type.parse(pgType);
    boolean unsigned = m.contains("unsigned");
    Matcher args = ARGS.matcher(m.substring(base.length()));
    Integer a = null;
    Integer b = null;
    if (args.lookingAt()) {
      a = Integer.valueOf(args.group(1));
      b = args.group(2) == null ? null : Integer.valueOf(args.group(2));
    }
    if ((base.equals("tinyint") && Integer.valueOf(1).equals(a) && !unsigned)
        || base.equals("bool")
        || base.equals("boolean")
        || (base.equals("bit") && (a == null || a == 1))) {
      return pg.base().equals("boolean") ? Width.SAME : Width.OTHER;
    }
    if (base.equals("serial")) {
      return integers("bigint", true, pg); // bigint unsigned NOT NULL AUTO_INCREMENT UNIQUE
    }
    if (INTEGERS.contains(base) || base.equals("year")) {
      return integers(base, unsigned, pg);
    }
    if (List.of("decimal", "numeric", "dec", "fixed").contains(base)) {
      String from = "numeric(" + (a == null ? 10 : a) + "," + (b == null ? 0 : b) + ")";
      Width w = MappingInversion.compare(from, pgType);
      return unsigned && w == Width.SAME ? Width.WIDER : w;
    }
    if (base.equals("float") || base.equals("double") || base.equals("real")) {
      String from = base.equals("float") && (a == null || a <= 24) ? "real" : "double precision";
      return MappingInversion.compare(from, pgType);
    }
    if (base.equals("char") || base.equals("varchar")) {
      return a == null ? Width.OTHER : MappingInversion.compare("varchar(" + a + ")", pgType);
    }
    if (base.endsWith("text")) {
      if (!text(pg)) {
        return Width.OTHER;
      }
      return base.equals("longtext") && pg.base().equals("text") ? Width.SAME : Width.WIDER;
    }
    if (base.equals("enum") || base.equals("inet4") || base.equals("inet6")) {
      return text(pg) && !pg.base().equals("char") ? Width.WIDER : Width.OTHER;
    }
    if (base.equals("set")) {
      return pgType.trim().equalsIgnoreCase("text[]") ? Width.WIDER : Width.OTHER;
    }
    if (base.endsWith("binary") || base.endsWith("blob") || base.equals("bit")) {
      if (!pg.base().equals("bytea")) {
        return Width.OTHER;
      }
      return base.equals("longblob") ? Width.SAME : Width.WIDER;
    }
    if (base.equals("date")) {
      return pg.base().equals("date") ? Width.SAME : Width.OTHER;
    }
    if (base.equals("datetime") || base.equals("timestamp") || base.equals("time")) {
      String pgBase =
          base.equals("datetime") ? "timestamp" : base.equals("time") ? "time" : "timestamptz";
      if (!pg.base().equals(pgBase)) {
        return Width.OTHER; // e.g. datetime read as timestamptz in a zone: not inverted
      }
      Width w = MappingInversion.compare(pgBase + "(" + (a == null ? 0 : a) + ")", pgType);
      return base.equals("timestamp") && w == Width.SAME ? Width.WIDER : w;
    }
    if (base.equals("json")) {
      return pg.base().equals("jsonb") || pg.base().equals("json") ? Width.SAME : Width.OTHER;
    }
    if (base.equals("uuid")) {
      return pg.base().equals("uuid") ? Width.SAME : Width.OTHER;
    }
    if (SPATIAL.contains(base)) {
      // bytea holds the column's stored bytes (SRID + WKB) as the copy read them; MariaDB takes
      // them back as they are, and bytes that are no geometry of this kind stop the reverse stream
      return pg.base().equals("bytea") ? Width.WIDER : Width.OTHER;
    }
    return Width.OTHER;
  }

  private static Width integers(String base, boolean unsigned, MappingInversion.Type pg) {
    BigInteger[] from;
    if (base.equals("year")) {
      from = new BigInteger[] {BigInteger.valueOf(1901), BigInteger.valueOf(2155)};
    } else {
      int bits =
          switch (base) {
            case "tinyint" -> 8;
            case "smallint" -> 16;
            case "mediumint" -> 24;
            case "bigint" -> 64;
            default -> 32;
          };
      from = range(bits, unsigned);
    }
    BigInteger[] to =
        switch (pg.base()) {
          case "smallint" -> range(16, false);
          case "integer" -> range(32, false);
          case "bigint" -> range(64, false);
          case "numeric" -> {
            if (pg.a() < 0) {
              yield new BigInteger[] {null, null};
            }
            if (pg.b() > 0 && pg.b() >= pg.a()) {
              yield null;
            }
            BigInteger max =
                BigInteger.TEN.pow(pg.a() - Math.max(0, pg.b())).subtract(BigInteger.ONE);
            yield new BigInteger[] {max.negate(), max};
          }
          default -> null;
        };
    if (to == null) {
      return Width.OTHER;
    }
    boolean holdsAll =
        (to[0] == null || to[0].compareTo(from[0]) <= 0)
            && (to[1] == null || to[1].compareTo(from[1]) >= 0);
    if (!holdsAll) {
      return Width.NARROWER;
    }
    return to[0] != null && to[0].equals(from[0]) && to[1].equals(from[1])
        ? Width.SAME
        : Width.WIDER;
  }

  private static BigInteger[] range(int bits, boolean unsigned) {
    return unsigned
        ? new BigInteger[] {BigInteger.ZERO, BigInteger.TWO.pow(bits).subtract(BigInteger.ONE)}
        : new BigInteger[] {
          BigInteger.TWO.pow(bits - 1).negate(),
          BigInteger.TWO.pow(bits - 1).subtract(BigInteger.ONE)
        };
  }

  private static boolean text(MappingInversion.Type t) {
    return t.base().equals("text") || t.base().equals("varchar") || t.base().equals("char");
  }

  /** The type name before any modifier: {@code int(10) unsigned} → {@code int}. */
  static String base(String t) {
    int end = 0;
    while (end < t.length() && (Character.isLetterOrDigit(t.charAt(end)) || t.charAt(end) == '_')) {
      end++;
    }
    return t.substring(0, end);
  }
}
