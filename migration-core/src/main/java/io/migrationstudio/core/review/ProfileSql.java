package io.migrationstudio.core.review;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.mariadb.MariaDbDialect;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.dialect.sqlite.SqliteDialect;
import java.util.List;
import java.util.Optional;

/**
 * The SQL pieces the compatibility review profiles a source with, one implementation per source
 * {@link Dialect} class (registered by the dialect's type, never by its name), so the review itself
 * never branches on the engine: character length, text and decimal conversions for the aggregate,
 * and the checks only some engines need (MySQL zero dates and times outside a day, NUL characters
 * in text, which PostgreSQL text cannot hold).
 */
interface ProfileSql {
  /** The dialect whose SQL this is. */
  Class<? extends Dialect> dialect();

  /** The length in characters of an expression's text. */
  String charLength(String expr);

  /** An expression as text (for the "max seen" column of a finding). */
  String asText(String expr);

  /** An expression as an exact decimal. */
  String asDecimal(String expr);

  /**
   * The condition "this decimal expression is NaN", for engines whose decimals can be NaN: NaN
   * sorts above every number there, so a range check would take it for an overflow, while a
   * constrained target numeric stores it as it is.
   */
  default Optional<String> isNaN(String decimalExpr) {
    return Optional.empty();
  }

  /** The condition "this date/time column holds a zero date or zero-in-date", when possible. */
  default Optional<String> zeroDate(String column) {
    return Optional.empty();
  }

  /**
   * The condition "this time column holds a value outside 00:00–24:00", when the engine can store
   * one (MySQL/MariaDB {@code time} spans ±838 hours; PostgreSQL {@code time} does not).
   */
  default Optional<String> timeOutsideDay(String column) {
    return Optional.empty();
  }

  /** The condition "this text column holds a NUL character", when the engine can store one. */
  default Optional<String> nulCharacter(String column) {
    return Optional.empty();
  }

  /**
   * The condition "this text column holds a byte sequence that is not valid in its declared
   * character set", for a source column whose native type is {@code nativeType}, when the engine
   * can store one (MySQL/MariaDB keep such bytes, e.g. an encoded surrogate in utf8mb4).
   */
  default Optional<String> invalidEncoding(String column, String nativeType) {
    return Optional.empty();
  }

  /**
   * The condition "this column holds a value outside its declared enum", for a source column whose
   * native type is {@code nativeType}, when the engine can store such a value (MySQL/MariaDB keep
   * an invalid enum input as the error value {@code ''}, index 0, in non-strict mode).
   */
  default Optional<String> outsideEnum(String column, String nativeType) {
    return Optional.empty();
  }

  /**
   * The profile SQL of a source dialect; a dialect without one is refused (UNSUPPORTED_TYPE, naming
   * the engine), never profiled in another engine's SQL.
   */
  static ProfileSql of(Dialect dialect) {
    List<ProfileSql> all = List.of(new Postgres(), new MariaDb(), new Sqlite());
    return all.stream()
        .filter(p -> p.dialect().isInstance(dialect))
        .findFirst()
        .orElseThrow(
            () ->
                new MigrationException(
                    ErrorCode.UNSUPPORTED_TYPE,
                    "the compatibility review has no profile SQL for source engine '"
                        + dialect.name()
                        + "'; supported source engines: "
                        + Dialects.all().stream()
                            .filter(d -> all.stream().anyMatch(p -> p.dialect().isInstance(d)))
                            .map(Dialect::name)
                            .toList()));
  }

  /** PostgreSQL: text cannot hold NUL and dates cannot be zero. */
  final class Postgres implements ProfileSql {
    @Override
    public Class<? extends Dialect> dialect() {
      return PostgresDialect.class;
    }

    @Override
    public String charLength(String expr) {
      return "char_length(CAST(" + expr + " AS varchar))";
    }

    @Override
    public String asText(String expr) {
      return "CAST(" + expr + " AS varchar(100))";
    }

    @Override
    public String asDecimal(String expr) {
      return "CAST(" + expr + " AS numeric)";
    }

    @Override
    public Optional<String> isNaN(String decimalExpr) {
      return Optional.of("(" + decimalExpr + " = 'NaN'::numeric)");
    }
  }

  /** MySQL/MariaDB: CAST knows CHAR and DECIMAL(65,30); zero dates read as month or day 0. */
  final class MariaDb implements ProfileSql {
    @Override
    public Class<? extends Dialect> dialect() {
      return MariaDbDialect.class;
    }

    @Override
    public String charLength(String expr) {
      return "CHAR_LENGTH(" + expr + ")";
    }

    @Override
    public String asText(String expr) {
      return "CAST(" + expr + " AS CHAR)";
    }

    @Override
    public String asDecimal(String expr) {
      return "CAST(" + expr + " AS DECIMAL(65,30))";
    }

    @Override
    public Optional<String> zeroDate(String column) {
      return Optional.of(
          "(YEAR("
              + column
              + ") = 0 OR MONTH("
              + column
              + ") = 0 OR DAYOFMONTH("
              + column
              + ") = 0)");
    }

    @Override
    public Optional<String> nulCharacter(String column) {
      return Optional.of("LOCATE(CHAR(0), " + column + ") > 0");
    }

    @Override
    public Optional<String> timeOutsideDay(String column) {
      return Optional.of("(" + column + " < TIME'00:00:00' OR " + column + " >= TIME'24:00:00')");
    }

    /**
     * A value whose bytes do not survive a round trip through UTF-16 (UTF-32 for a utf16 column)
     * back to the column's own character set: the server replaces every invalid sequence with
     * {@code ?} on the way, so the bytes differ exactly when some sequence is invalid (MariaDB 11.4
     * passes an encoded surrogate through utf32 unchanged, not through utf16). The character set
     * comes from the native type ({@code ... CHARACTER SET cs COLLATE ...}; a json column is
     * utf8mb4); binary strings have none.
     */
    @Override
    public Optional<String> invalidEncoding(String column, String nativeType) {
      String type = nativeType == null ? "" : nativeType.trim().toLowerCase(java.util.Locale.ROOT);
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("character set ([a-z0-9_]+)").matcher(type);
      String charset = m.find() ? m.group(1) : type.equals("json") ? "utf8mb4" : null;
      if (charset == null || charset.equals("binary")) {
        return Optional.empty();
      }
      String via = charset.startsWith("utf16") ? "utf32" : "utf16";
      return Optional.of(
          "CAST(CONVERT(CONVERT("
              + column
              + " USING "
              + via
              + ") USING "
              + charset
              + ") AS BINARY) <> CAST("
              + column
              + " AS BINARY)");
    }

    /** An enum's numeric value is its member index; the error value {@code ''} has index 0. */
    @Override
    public Optional<String> outsideEnum(String column, String nativeType) {
      if (nativeType == null
          || !nativeType.trim().toLowerCase(java.util.Locale.ROOT).startsWith("enum(")) {
        return Optional.empty();
      }
      return Optional.of("(" + column + " + 0) = 0");
    }
  }

  /** SQLite: length() counts characters of text; values keep their storage class. */
  final class Sqlite implements ProfileSql {
    @Override
    public Class<? extends Dialect> dialect() {
      return SqliteDialect.class;
    }

    @Override
    public String charLength(String expr) {
      return "length(CAST(" + expr + " AS TEXT))";
    }

    @Override
    public String asText(String expr) {
      return "CAST(" + expr + " AS TEXT)";
    }

    @Override
    public String asDecimal(String expr) {
      return "CAST(" + expr + " AS NUMERIC)";
    }

    @Override
    public Optional<String> nulCharacter(String column) {
      return Optional.of("instr(" + column + ", char(0)) > 0");
    }
  }
}
