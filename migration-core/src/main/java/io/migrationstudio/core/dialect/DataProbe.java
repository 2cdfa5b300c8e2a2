package io.migrationstudio.core.dialect;

import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The data questions of the risk checks, answered with real queries on one database and schema (see
 * {@link Dialect#dataProbe}). Every answer is a {@link Sample}: how many rows match and up to
 * {@link #MAX_EXAMPLES} of their keys, so a reviewer can look at them. Names are passed unquoted;
 * implementations quote them through their dialect and bind every value as a parameter. Failures
 * are thrown as {@code MigrationException}s classified by the dialect, naming the table.
 */
public interface DataProbe {
  /** Example keys returned per answer. */
  int MAX_EXAMPLES = 5;

  /** Anomalies some engines can store and others cannot. */
  enum Anomaly {
    /** A NUL byte (0x00) inside a text value. */
    NUL_IN_TEXT,
    /** A zero date such as {@code 0000-00-00} or {@code 2024-00-10}. */
    ZERO_DATE
  }

  /** The engine's name, as {@link Dialect#name()}. */
  String engine();

  /**
   * Why this engine cannot hold the anomaly at all (then there is nothing to probe), or empty when
   * it can and the probe must look.
   */
  Optional<String> cannotHold(Anomaly anomaly);

  /**
   * Rows whose {@code column} holds a NUL byte; examples are the values of {@code keyColumns} (none
   * when the list is empty).
   */
  Sample nulBytes(String table, String column, List<String> keyColumns);

  /** Rows whose date or timestamp {@code column} holds a zero date. */
  Sample zeroDates(String table, String column, List<String> keyColumns);

  /** Rows whose integer {@code column} is greater than {@code limit}. */
  Sample valuesAbove(String table, String column, BigInteger limit, List<String> keyColumns);

  /**
   * Groups of rows whose {@code keyColumns} are equal once the text columns among them ({@code
   * textColumns}) are lower-cased, though they differ as stored: the count is the number of rows in
   * such groups, the examples the lower-cased keys.
   */
  Sample caseInsensitiveDuplicates(String table, List<String> keyColumns, List<String> textColumns);

  /** The tables of the schema holding at least one row, sorted by name. */
  List<String> nonEmptyTables();

  /** The database's default collation, when the engine has one. */
  Optional<String> defaultCollation();

  /** Whether the database has the named extension installed (empty: the engine has none). */
  Optional<Boolean> hasExtension(String name);

  /**
   * The extensions of the database, installed or offered by the server (PostgreSQL's {@code
   * pg_available_extensions} and {@code pg_extension}), sorted by name; empty when the engine has
   * no extensions.
   */
  default Optional<List<Extension>> extensions() {
    return Optional.empty();
  }

  /**
   * One extension: {@code installed} is the version created in the database (null: not created),
   * {@code available} the version {@code CREATE EXTENSION} would install (null: the server has no
   * package for it).
   */
  record Extension(String name, String installed, String available) {
    public Extension {
      Objects.requireNonNull(name, "extension name");
    }
  }

  /**
   * What the connected user cannot read in the schema, or empty when the engine cannot tell: the
   * tables that exist but whose every column it may not select (the catalogue leaves them out), and
   * whether some tables may not even be listed (MariaDB shows a user only the tables it holds a
   * privilege on).
   */
  default Optional<Readability> readability() {
    return Optional.empty();
  }

  /**
   * The change-capture prerequisites of this source ({@code migrate.strategy: online}), or empty
   * when the engine offers no change capture.
   */
  default Optional<CaptureReadiness> captureReadiness() {
    return Optional.empty();
  }

  /**
   * {@code unreadable}: tables of the schema the user cannot read, sorted by name; {@code
   * unlisted}: null when every table of the schema was listed, else why tables may be missing from
   * the list, naming the privilege that would list them.
   */
  record Readability(List<String> unreadable, String unlisted) {
    public Readability {
      unreadable = List.copyOf(Objects.requireNonNull(unreadable, "unreadable"));
    }
  }

  /** How many rows matched and up to {@link #MAX_EXAMPLES} of their keys, in key order. */
  record Sample(long count, List<String> examples) {
    public static final Sample NONE = new Sample(0, List.of());

    public Sample {
      if (count < 0) {
        throw new IllegalArgumentException("count must not be negative, got " + count);
      }
      examples = List.copyOf(Objects.requireNonNull(examples, "examples"));
      if (examples.size() > MAX_EXAMPLES) {
        throw new IllegalArgumentException(
            "at most " + MAX_EXAMPLES + " examples, got " + examples.size());
      }
    }

    public boolean found() {
      return count > 0;
    }
  }
}
