package io.migrationstudio.core.cutover.reverse;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.mariadb.MariaDbDialect;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The way back of a mapping: {@link #invert} turns {@code mapping.yaml} (source → target) into the
 * mapping the reverse stream applies (target → source), and {@link #findings} says where that way
 * back loses or refuses data, for the Mapping stage to show when {@code cutover.rollback: reverse}
 * is asked for.
 *
 * <p>The inverse of a column read straight from a source column (MAP, CAST) is the same pair the
 * other way round: target name → source name, target type → source type. Everything else has no
 * inverse:
 *
 * <ul>
 *   <li><b>blocking</b> (the reverse stream refuses the mapping): a TRANSFORM (a CEL expression has
 *       no inverse), a value map, a type change that narrowed the value on the way in or that the
 *       studio cannot rank (writing the target's value back would overwrite the source's with
 *       less), a table without a primary key (a change cannot find its row), a source that is
 *       neither PostgreSQL nor MariaDB/MySQL (no applier writes another engine);
 *   <li><b>warning</b> (the way back works but is not the identity): a widening type change (a
 *       value the source type cannot hold, written on the target after the switch, stops the
 *       reverse stream naming the row), a dropped source column (rows inserted on the target reach
 *       the source with the column's default or NULL; updates keep the source's value), a column
 *       the target alone has (DERIVE, DEFAULT: what the application writes there after the switch
 *       stays on the target).
 * </ul>
 *
 * Types are compared as PostgreSQL spells them, after folding aliases ({@code int4} = {@code
 * integer}, {@code serial} = {@code integer}, {@code character varying} = {@code varchar}, ...); a
 * MariaDB/MySQL source type against the PostgreSQL type the catalogue or an override chose, by
 * {@link MariaDbInversion} (ranges, lengths, precisions; enum and set members).
 */
public final class MappingInversion {
  private static final PostgresDialect PG = new PostgresDialect();
  private static final MariaDbDialect MARIADB = new MariaDbDialect();

  private MappingInversion() {}

  /** How bad a finding is for the way back. */
  public enum Severity {
    /** The reverse stream refuses the mapping. */
    BLOCKING,
    /** The way back works but changes or leaves out some data. */
    WARNING
  }

  /** One place where the mapping has no exact inverse (column null: the whole table). */
  public record Finding(Severity severity, String table, String column, String message) {
    public Finding {
      Objects.requireNonNull(severity, "severity is required");
      Objects.requireNonNull(table, "table is required");
      Objects.requireNonNull(message, "message is required");
    }

    public boolean blocking() {
      return severity == Severity.BLOCKING;
    }

    /** {@code table.column: message}. */
    public String line() {
      return table + (column == null ? "" : "." + column) + ": " + message;
    }
  }

  /** Everything in {@code mapping} that the way back loses or refuses, in mapping order. */
  public static List<Finding> findings(MappingDocument mapping) {
    List<Finding> out = new ArrayList<>();
    String engine = mapping.sourceEngine();
    if (engine != null && !engine.isBlank() && !PG.name().equals(engine) && !mariaDb(mapping)) {
      out.add(
          new Finding(
              Severity.BLOCKING,
              "*",
              null,
              "the source engine is "
                  + engine
                  + ": the reverse stream applies to PostgreSQL and MariaDB/MySQL sources only (no"
                  + " applier writes "
                  + engine
                  + "); roll back by restoring the source instead"));
    }
    for (TableMapping t : mapping.tables()) {
      if (t.primaryKey().isEmpty()) {
        out.add(
            new Finding(
                Severity.BLOCKING,
                t.source(),
                null,
                "no primary key in mapping.yaml, so a change made on the target cannot find its"
                    + " row on the source; declare one"));
      }
      for (ColumnMapping c : t.columns()) {
        column(t, c, mariaDb(mapping), out);
      }
    }
    return out;
  }

  /** Whether the forward mapping reads a MariaDB/MySQL source. */
  static boolean mariaDb(MappingDocument mapping) {
    String engine = mapping.sourceEngine();
    return engine != null
        && (engine.equalsIgnoreCase("mariadb") || engine.equalsIgnoreCase("mysql"));
  }

  private static void column(TableMapping t, ColumnMapping c, boolean mariaDb, List<Finding> out) {
    String name = c.source() != null ? c.source() : c.target();
    switch (c.disposition()) {
      case DROP ->
          out.add(
              new Finding(
                  Severity.WARNING,
                  t.source(),
                  name,
                  "dropped on the way in: rows inserted on the target after the switch reach the"
                      + " source without it (its default or NULL)"));
      case DERIVE, DEFAULT ->
          out.add(
              new Finding(
                  Severity.WARNING,
                  t.source(),
                  name,
                  "the target alone has column "
                      + c.target()
                      + " ("
                      + c.disposition().key()
                      + "): what is written there after the switch stays on the target"));
      case TRANSFORM ->
          out.add(
              new Finding(
                  Severity.BLOCKING,
                  t.source(),
                  name,
                  "transformed by an expression on the way in ("
                      + c.expression()
                      + "), which has no inverse: map the column as it is, or roll back by"
                      + " restoring the source"));
      case MAP, CAST -> {
        if (c.hasValueMap()) {
          out.add(
              new Finding(
                  Severity.BLOCKING,
                  t.source(),
                  name,
                  "value-mapped on the way in; the reverse stream does not invert value maps"));
          return;
        }
        Width w =
            mariaDb
                ? MariaDbInversion.compare(TableSql.sourceType(c), c.type())
                : compare(TableSql.sourceType(c), c.type());
        if (w == Width.WIDER) {
          out.add(
              new Finding(
                  Severity.WARNING,
                  t.source(),
                  name,
                  "widened from "
                      + c.sourceType()
                      + " to "
                      + c.type()
                      + ": a value written on the target that "
                      + c.sourceType()
                      + " cannot hold stops the reverse stream"));
        } else if (w == Width.NARROWER || w == Width.OTHER) {
          out.add(
              new Finding(
                  Severity.BLOCKING,
                  t.source(),
                  name,
                  (w == Width.NARROWER ? "narrowed" : "converted")
                      + " from "
                      + c.sourceType()
                      + " to "
                      + c.type()
                      + " on the way in: writing the target's values back would overwrite the"
                      + " source's with less; keep the source type, or roll back by restoring"
                      + " the source"));
        }
      }
    }
  }

  /**
   * The mapping the reverse stream applies: each table from the target's name to the source's, each
   * MAP/CAST column from its target name and type to its source name and type; columns without an
   * inverse are left out (a source column the target lacks keeps its value). Refuses a mapping with
   * a {@linkplain Severity#BLOCKING blocking} finding, naming all of them.
   */
  public static MappingDocument invert(MappingDocument mapping) {
    List<Finding> blocking = findings(mapping).stream().filter(Finding::blocking).toList();
    if (!blocking.isEmpty()) {
      throw new MigrationException(
          ErrorCode.INVALID_ARTIFACT,
          "mapping.yaml has no inverse for the reverse stream: "
              + String.join("; ", blocking.stream().map(Finding::line).toList()));
    }
    List<TableMapping> tables = new ArrayList<>();
    boolean mariaDb = mariaDb(mapping);
    for (TableMapping t : mapping.tables()) {
      tables.add(invert(t, mariaDb));
    }
    return new MappingDocument(
        mapping.version(),
        mapping.naming(),
        PG.name(),
        TableSql.targetSchema(mapping, PG),
        // a MariaDB "schema" is a database: none named means the connection's own
        mariaDb ? mapping.sourceSchema() : sourceSchema(mapping, PG),
        tables,
        List.of());
  }

  /** The schema the forward mapping reads from (the dialect default when it names none). */
  static String sourceSchema(MappingDocument mapping, Dialect source) {
    return mapping.sourceSchema() == null || mapping.sourceSchema().isBlank()
        ? source.defaultSchema()
        : mapping.sourceSchema();
  }

  private static TableMapping invert(TableMapping t, boolean mariaDb) {
    List<ColumnMapping> columns = new ArrayList<>();
    for (ColumnMapping c : t.columns()) {
      if ((c.disposition() == Disposition.MAP || c.disposition() == Disposition.CAST)
          && c.source() != null) {
        String sourceType = TableSql.sourceType(c);
        boolean same =
            (mariaDb
                    ? MariaDbInversion.compare(sourceType, c.type())
                    : compare(sourceType, c.type()))
                == Width.SAME;
        columns.add(
            ColumnMapping.builder()
                .source(c.target())
                .target(c.source())
                .disposition(same ? Disposition.MAP : Disposition.CAST)
                .sourceType(c.type())
                .type(sourceType)
                .canonical(
                    mariaDb ? MARIADB.canonicalType(sourceType) : PG.canonicalType(sourceType))
                .nullable(true)
                .reason("the way back of " + t.source() + "." + c.source())
                .build());
      }
    }
    List<String> key = new ArrayList<>();
    for (String k : t.primaryKey()) {
      key.add(
          t.byTarget(k)
              .map(ColumnMapping::source)
              .orElseThrow(
                  () ->
                      new MigrationException(
                          ErrorCode.INVALID_ARTIFACT,
                          "primary key column "
                              + t.target()
                              + "."
                              + k
                              + " is not read from a source column, so the way back cannot find"
                              + " rows of "
                              + t.source()
                              + " by it")));
    }
    return new TableMapping(t.target(), t.source(), null, key, columns, null, null, null);
  }

  // ------------------------------------------------------------------ types

  /** How a forward type change relates the target type to the source type. */
  enum Width {
    SAME,
    /** The target type holds every value of the source type, and more. */
    WIDER,
    /** The target type holds less than the source type. */
    NARROWER,
    /** Different kinds, or not ranked here. */
    OTHER
  }

  private static final List<String> INTEGERS = List.of("smallint", "integer", "bigint");
  private static final List<String> FLOATS = List.of("real", "double precision");
  private static final Pattern SIZED =
      Pattern.compile("([a-z ]+?)\\s*\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\)");
  private static final Map<String, String> ALIASES =
      Map.ofEntries(
          Map.entry("int", "integer"),
          Map.entry("int4", "integer"),
          Map.entry("serial", "integer"),
          Map.entry("serial4", "integer"),
          Map.entry("int2", "smallint"),
          Map.entry("smallserial", "smallint"),
          Map.entry("serial2", "smallint"),
          Map.entry("int8", "bigint"),
          Map.entry("bigserial", "bigint"),
          Map.entry("serial8", "bigint"),
          Map.entry("float4", "real"),
          Map.entry("float8", "double precision"),
          Map.entry("float", "double precision"),
          Map.entry("decimal", "numeric"),
          Map.entry("character varying", "varchar"),
          Map.entry("character", "char"),
          Map.entry("bpchar", "char"),
          Map.entry("bool", "boolean"),
          Map.entry("timestamp without time zone", "timestamp"),
          Map.entry("timestamp with time zone", "timestamptz"),
          Map.entry("time without time zone", "time"),
          Map.entry("time with time zone", "timetz"));

  /** A type as a base name and up to two modifiers (-1: none). */
  record Type(String base, int a, int b) {
    static Type parse(String text) {
      String t = text.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
      int a = -1;
      int b = -1;
      Matcher m = SIZED.matcher(t);
      if (m.matches()) {
        t = m.group(1).trim();
        a = Integer.parseInt(m.group(2));
        b = m.group(3) == null ? -1 : Integer.parseInt(m.group(3));
      } else if (t.matches("(timestamp|time)\\s*\\(\\d+\\) with(out)? time zone")) {
        Matcher p = Pattern.compile("\\((\\d+)\\)").matcher(t);
        p.find();
        a = Integer.parseInt(p.group(1));
        t = t.replaceAll("\\s*\\(\\d+\\)", "");
      }
      String base = ALIASES.getOrDefault(t, t);
      if (base.equals("char") && a < 0) {
        a = 1; // char without a length is char(1)
      }
      if (base.equals("numeric") && a >= 0 && b < 0) {
        b = 0; // numeric(p) is numeric(p, 0)
      }
      return new Type(base, a, b);
    }
  }

  /** How the target type {@code to} relates to the source type {@code from}. */
  static Width compare(String from, String to) {
    Type f = Type.parse(from);
    Type t = Type.parse(to);
    if (f.equals(t)) {
      return Width.SAME;
    }
    if (INTEGERS.contains(f.base()) && INTEGERS.contains(t.base())) {
      return rank(INTEGERS.indexOf(f.base()), INTEGERS.indexOf(t.base()));
    }
    if (INTEGERS.contains(f.base()) && t.base().equals("numeric")) {
      return t.a() < 0 || t.a() - t.b() >= 19 ? Width.WIDER : Width.OTHER;
    }
    if (FLOATS.contains(f.base()) && FLOATS.contains(t.base())) {
      return rank(FLOATS.indexOf(f.base()), FLOATS.indexOf(t.base()));
    }
    if (f.base().equals("numeric") && t.base().equals("numeric")) {
      if (t.a() < 0) {
        return Width.WIDER; // unconstrained holds every numeric
      }
      if (f.a() < 0) {
        return Width.NARROWER;
      }
      boolean wider = t.a() - t.b() >= f.a() - f.b() && t.b() >= f.b();
      boolean narrower = t.a() - t.b() <= f.a() - f.b() && t.b() <= f.b();
      return wider ? Width.WIDER : narrower ? Width.NARROWER : Width.OTHER;
    }
    if (text(f.base()) && text(t.base())) {
      int fl = length(f);
      int tl = length(t);
      if (f.base().equals("char") != t.base().equals("char")) {
        return Width.OTHER; // char pads with blanks: not the same value either way
      }
      return rank(fl, tl);
    }
    if (f.base().equals(t.base()) && (f.base().startsWith("time") || f.base().equals("interval"))) {
      int fp = f.a() < 0 ? 6 : f.a();
      int tp = t.a() < 0 ? 6 : t.a();
      return rank(fp, tp);
    }
    return Width.OTHER;
  }

  private static Width rank(int from, int to) {
    return from == to ? Width.SAME : to > from ? Width.WIDER : Width.NARROWER;
  }

  private static boolean text(String base) {
    return base.equals("varchar") || base.equals("text") || base.equals("char");
  }

  /** A text type's length limit, unlimited as the largest. */
  private static int length(Type t) {
    return t.base().equals("text") || t.a() < 0 ? Integer.MAX_VALUE : t.a();
  }
}
