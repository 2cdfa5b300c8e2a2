package io.migrationstudio.core.diff;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.migrationstudio.core.dialect.Dialect;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Compares two {@link DiffSchema}s and classifies every change as breaking, potentially breaking or
 * compatible, each with a severity and DDL to apply it (forward) and to undo it (rollback), in the
 * syntax of the engine the scripts run on (PostgreSQL, or MariaDB/MySQL: {@code MODIFY COLUMN} with
 * the whole column definition, {@code DROP FOREIGN KEY}, {@code DROP INDEX ... ON}; SQLite, see
 * below). A rollback that cannot bring data back (a dropped column or table, a narrowed type) says
 * so and what to keep.
 *
 * <p>SQLite's {@code ALTER TABLE} adds and drops columns only. A table with any other change (a
 * column's type, nullability or default, its primary, unique or foreign keys, its CHECKs, a new NOT
 * NULL column without a default) is rebuilt as SQLite documents it (the 12 steps of "Making Other
 * Kinds Of Table Schema Changes", https://www.sqlite.org/lang_altertable.html#otheralter), forward
 * to the new definition and back to the old one: foreign keys off, a transaction, the views and the
 * other tables' triggers naming the table dropped (a rename fails while one names a missing table),
 * {@code new_X} created, the common columns copied, X dropped, {@code new_X} renamed to X, X's
 * indexes and triggers, the views and triggers re-created, {@code PRAGMA foreign_key_check},
 * commit, foreign keys on. The rebuild applies every change of that table at once and is the step
 * of its first change; the table's other changes carry no step of their own. An {@code INTEGER
 * PRIMARY KEY} is declared in its column as SQLite's own DDL does (without NOT NULL, which the
 * rowid never needs), with its AUTOINCREMENT; when X has AUTOINCREMENT before and after, its {@code
 * sqlite_sequence} counter (which DROP TABLE deletes) is carried to {@code new_X} before the drop,
 * and the rename carries it on to X, so no key of a deleted row is handed out again. Adding or
 * dropping AUTOINCREMENT is a change of its own that rebuilds the table.
 *
 * <p>A view whose DDL declares a column list ({@code CREATE VIEW v (a, b) AS ...}, SQLite keeps it
 * outside the SELECT) is re-created with it, and a change of the list alone is a change of the
 * view.
 *
 * <p>Every change is a list of steps, each in a phase; the forward script runs the steps by phase
 * (drops of views and foreign keys first, then tables, columns, constraints, indexes, foreign keys,
 * views), the rollback script runs the rollbacks in the reverse order. A constraint is named as the
 * schema it belongs to catalogues it ({@link DiffSchema.Names}: PostgreSQL's and MariaDB's real
 * names, so a key the user named is dropped by its name and a rollback restores it under it); where
 * the input names none (the toolkit's format, SQLite) the name is derived from the table and
 * columns ({@code t_a_b_key}, {@code t_a_fkey}) or, for a CHECK, from a CRC-32 of its expression
 * ({@code t_check_1a2b3c4d}), so applying the diff from an empty schema and the diff between two
 * versions name the same constraint alike. An inventory that catalogues names but not this one (an
 * older {@code inventory.json}) gets the derived name and a note saying so.
 */
public final class SchemaDiff {

  /** How a change affects the schema's consumers. */
  public enum Impact {
    @JsonProperty("breaking")
    BREAKING,
    @JsonProperty("potentially-breaking")
    POTENTIALLY_BREAKING,
    @JsonProperty("compatible")
    COMPATIBLE;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
  }

  /** One step of a change: its phase in the scripts, forward and rollback statements. */
  public record Step(int phase, List<String> forward, List<String> rollback) {
    public Step {
      forward = List.copyOf(forward);
      rollback = List.copyOf(rollback);
    }
  }

  /**
   * One change, with its classification and DDL; {@code rollbackNote} when data cannot return;
   * {@code note} what the forward DDL does beyond the change itself: how it makes a change the
   * target cannot make in place and what else that touches, or a conversion of the stored values
   * (null when nothing).
   */
  public record Change(
      String object,
      String change,
      Impact impact,
      String severity,
      String why,
      List<Step> steps,
      @JsonProperty("rollback_note") String rollbackNote,
      String note) {
    public Change {
      steps = List.copyOf(steps);
    }
  }

  // phases of the forward script
  static final int DROP_VIEW = 0;
  static final int DROP_FK = 1;
  static final int DROP_CONSTRAINT = 2;
  static final int CREATE_TABLE = 3;
  static final int ADD_COLUMN = 4;
  static final int ALTER_COLUMN = 5;
  static final int DROP_COLUMN = 6;
  static final int ADD_CONSTRAINT = 7;
  // indexes before foreign keys: MariaDB/MySQL needs an index for each foreign key and refuses to
  // drop one a foreign key uses, so the rollback (phases reversed) drops the keys first
  static final int ADD_INDEX = 8;
  static final int ADD_FK = 9;
  static final int DROP_TABLE = 10;
  static final int CREATE_VIEW = 11;
  static final int ROUTINE = 12;

  private final Dialect pg;
  private final DdlTarget target;
  private final Syntax syntax;
  private final List<Change> changes = new ArrayList<>();
  // the schemas compared: a SQLite rebuild re-creates their views and triggers
  private DiffSchema before;
  private DiffSchema after;
  // views a column's drop and re-add drops and re-creates already (each once)
  private final Set<String> viewsRecreated = new java.util.HashSet<>();
  // the note of the change being added (see Change.note), taken by the next add
  private String pendingNote;

  /** The DDL spellings that differ between engines. */
  enum Syntax {
    POSTGRESQL,
    MYSQL,
    SQLITE;

    static Syntax of(Dialect d) {
      return switch (d.name()) {
        case "mariadb", "mysql" -> MYSQL;
        case "sqlite" -> SQLITE;
        default -> POSTGRESQL;
      };
    }
  }

  /** What a constraint to drop is: each engine drops them by another clause. */
  private enum Kind {
    UNIQUE,
    CHECK,
    FOREIGN_KEY
  }

  private SchemaDiff(DdlTarget target) {
    this.pg = target.dialect();
    this.target = target;
    this.syntax = Syntax.of(pg);
  }

  /**
   * The changes from {@code before} to {@code after}, in a stable order (object, then change), in
   * the DDL of {@code target}'s engine for a server of unknown version.
   */
  public static List<Change> compare(Dialect target, DiffSchema before, DiffSchema after) {
    return compare(DdlTarget.of(target), before, after);
  }

  /** The changes from {@code before} to {@code after}, in DDL {@code target} runs. */
  public static List<Change> compare(DdlTarget target, DiffSchema before, DiffSchema after) {
    SchemaDiff d = new SchemaDiff(target);
    d.run(before, after);
    return List.copyOf(d.changes);
  }

  /** The forward script: every step's forward statements by phase. */
  public static List<String> forward(List<Change> changes) {
    List<Step> steps = steps(changes);
    steps.sort(Comparator.comparingInt(Step::phase));
    return steps.stream().flatMap(s -> s.forward().stream()).toList();
  }

  /** The rollback script: every step's rollback statements, phases in reverse. */
  public static List<String> rollback(List<Change> changes) {
    List<Step> steps = steps(changes);
    java.util.Collections.reverse(steps);
    steps.sort(Comparator.comparingInt(Step::phase).reversed());
    return steps.stream().flatMap(s -> s.rollback().stream()).toList();
  }

  private static List<Step> steps(List<Change> changes) {
    List<Step> out = new ArrayList<>();
    changes.forEach(c -> out.addAll(c.steps()));
    return out;
  }

  private void run(DiffSchema before, DiffSchema after) {
    this.before = before;
    this.after = after;
    for (DiffSchema.Table t : after.tables().values()) {
      DiffSchema.Table old = before.tables().get(t.name());
      if (old == null) {
        tableAdded(t);
      } else {
        tableChanged(old, t);
      }
    }
    for (DiffSchema.Table t : before.tables().values()) {
      if (!after.tables().containsKey(t.name())) {
        tableDropped(t);
      }
    }
    for (DiffSchema.View v : after.views().values()) {
      DiffSchema.View old = before.views().get(v.name());
      if (old == null) {
        add(
            "view " + v.name(),
            "added",
            Impact.COMPATIBLE,
            "low",
            "a new view",
            null,
            new Step(CREATE_VIEW, List.of(createView(v)), List.of(dropView(v.name()))));
      } else if (!sameView(old, v)) {
        Set<String> lost = new LinkedHashSet<>(old.columns());
        lost.removeAll(v.columns());
        Impact impact =
            !lost.isEmpty()
                ? Impact.BREAKING
                : v.columns().containsAll(old.columns())
                        && v.columns().size() > old.columns().size()
                    ? Impact.COMPATIBLE
                    : Impact.POTENTIALLY_BREAKING;
        add(
            "view " + v.name(),
            "definition changed",
            impact,
            impact == Impact.BREAKING ? "high" : impact == Impact.COMPATIBLE ? "low" : "medium",
            !lost.isEmpty()
                ? "columns " + lost + " disappear from the view"
                : impact == Impact.COMPATIBLE
                    ? "columns are only added"
                    : "the rows or their meaning may change for its readers",
            null,
            new Step(DROP_VIEW, List.of(dropView(v.name())), List.of(createView(old))),
            new Step(CREATE_VIEW, List.of(createView(v)), List.of(dropView(v.name()))));
      }
    }
    for (DiffSchema.View v : before.views().values()) {
      if (!after.views().containsKey(v.name())) {
        add(
            "view " + v.name(),
            "dropped",
            Impact.BREAKING,
            "high",
            "its readers fail",
            null,
            new Step(DROP_VIEW, List.of(dropView(v.name())), List.of(createView(v))));
      }
    }
    routines(before.routines(), after.routines());
  }

  private void routines(Map<String, String> before, Map<String, String> after) {
    for (Map.Entry<String, String> r : after.entrySet()) {
      String old = before.get(r.getKey());
      if (old != null && norm(old).equals(norm(r.getValue()))) {
        continue;
      }
      add(
          "routine " + r.getKey(),
          old == null ? "added" : "definition changed",
          old == null ? Impact.COMPATIBLE : Impact.POTENTIALLY_BREAKING,
          old == null ? "low" : "medium",
          old == null ? "a new routine" : "its callers may see other results",
          "the schema gives the routine's body only, not its language and signature: create or"
              + " restore it by hand",
          new Step(
              ROUTINE,
              List.of("-- routine " + r.getKey() + ": create by hand: " + oneLine(r.getValue())),
              List.of(
                  old == null
                      ? "-- routine " + r.getKey() + ": drop by hand"
                      : "-- routine " + r.getKey() + ": restore by hand: " + oneLine(old))));
    }
    for (Map.Entry<String, String> r : before.entrySet()) {
      if (!after.containsKey(r.getKey())) {
        add(
            "routine " + r.getKey(),
            "dropped",
            Impact.BREAKING,
            "high",
            "its callers fail",
            "the schema gives the routine's body only: restore it by hand",
            new Step(
                ROUTINE,
                List.of("-- routine " + r.getKey() + ": drop by hand"),
                List.of(
                    "-- routine " + r.getKey() + ": restore by hand: " + oneLine(r.getValue()))));
      }
    }
  }

  private void tableAdded(DiffSchema.Table t) {
    String table = pg.quote(t.name());
    add(
        "table " + t.name(),
        "added",
        Impact.COMPATIBLE,
        "low",
        "a new table",
        "rolling back drops the table with the rows written to it meanwhile; keep a copy first",
        new Step(
            CREATE_TABLE,
            List.of(
                syntax == Syntax.SQLITE && t.definition() != null
                    ? t.definition()
                    : createTable(table, t, c -> false)),
            List.of("DROP TABLE " + table)));
    for (DiffSchema.Fk fk : t.foreignKeys()) {
      // SQLite declares foreign keys in CREATE TABLE only: there they are
      add(
          "foreign key " + t.name() + "." + fkName(t, fk),
          "added",
          Impact.COMPATIBLE,
          "low",
          "on a new table",
          null,
          syntax == Syntax.SQLITE
              ? new Step[0]
              : new Step[] {
                new Step(
                    ADD_FK,
                    List.of(addFk(t, fk)),
                    List.of(dropConstraint(t, fkName(t, fk), Kind.FOREIGN_KEY)))
              });
    }
    for (DiffSchema.Index ix : t.indexes()) {
      add(
          "index " + ix.name(),
          "added",
          Impact.COMPATIBLE,
          "low",
          "on a new table",
          null,
          new Step(ADD_INDEX, List.of(createIndex(t, ix)), List.of(dropIndex(t, ix))));
    }
  }

  /**
   * {@code CREATE TABLE name} with {@code t}'s columns, primary, unique and CHECK keys (and for
   * SQLite its foreign keys); a column {@code readded} is NOT NULL only with a default.
   */
  private String createTable(
      String name, DiffSchema.Table t, java.util.function.Predicate<String> readded) {
    List<String> defs = new ArrayList<>();
    String rowid = rowidAlias(t);
    for (DiffSchema.Col c : t.columns().values()) {
      defs.add(
          "  "
              + (c.name().equals(rowid)
                  ? rowidAliasDef(t, c)
                  : columnDef(c, readded.test(c.name()))));
    }
    if (!t.primaryKey().isEmpty() && rowid == null) {
      defs.add(
          "  CONSTRAINT " + pg.quote(pkName(t)) + " PRIMARY KEY (" + cols(t.primaryKey()) + ")");
    }
    for (List<String> u : t.uniques()) {
      defs.add("  CONSTRAINT " + pg.quote(uniqueName(t, u)) + " UNIQUE (" + cols(u) + ")");
    }
    for (String check : t.checks()) {
      defs.add("  CONSTRAINT " + pg.quote(checkName(t, check)) + " " + checkClause(check));
    }
    if (syntax == Syntax.SQLITE) {
      for (DiffSchema.Fk fk : t.foreignKeys()) {
        defs.add("  CONSTRAINT " + pg.quote(fkName(t, fk)) + " " + fkClause(fk));
      }
    }
    return "CREATE TABLE " + name + " (\n" + String.join(",\n", defs) + "\n)";
  }

  /**
   * SQLite: the column that is the table's rowid (its single-column primary key, an identity typed
   * INTEGER), declared in the column as SQLite's own DDL does; null elsewhere.
   */
  private String rowidAlias(DiffSchema.Table t) {
    if (syntax != Syntax.SQLITE || t.primaryKey().size() != 1) {
      return null;
    }
    DiffSchema.Col c = t.columns().get(t.primaryKey().get(0));
    return c != null && c.identity() && c.type().trim().equalsIgnoreCase("INTEGER")
        ? c.name()
        : null;
  }

  /**
   * {@code id INTEGER PRIMARY KEY [AUTOINCREMENT]}: AUTOINCREMENT is a column constraint only, and
   * no NOT NULL (the rowid is never NULL; SQLite's catalogue shows it nullable as declared).
   */
  private String rowidAliasDef(DiffSchema.Table t, DiffSchema.Col c) {
    return pg.quote(c.name())
        + " "
        + c.type()
        + " CONSTRAINT "
        + pg.quote(t.name() + "_pkey")
        + " PRIMARY KEY"
        + (c.autoincrement() ? " AUTOINCREMENT" : "");
  }

  private void tableDropped(DiffSchema.Table t) {
    String table = pg.quote(t.name());
    List<String> recreate = new ArrayList<>();
    // recreated as the forward script of an added table would create it
    SchemaDiff inverse = new SchemaDiff(target);
    inverse.tableAdded(t);
    for (Change c : inverse.changes) {
      c.steps().forEach(s -> recreate.addAll(s.forward()));
    }
    List<String> fkDrops = new ArrayList<>();
    for (DiffSchema.Fk fk : t.foreignKeys()) {
      if (syntax != Syntax.SQLITE) { // SQLite drops them with the table
        noteDerived(t, fkName(t, fk), t.names().foreignKeys().get(fk.columns()));
        fkDrops.add(dropConstraint(t, fkName(t, fk), Kind.FOREIGN_KEY));
      }
    }
    add(
        "table " + t.name(),
        "dropped",
        Impact.BREAKING,
        "critical",
        "every reader and writer of the table fails",
        "rolling back recreates the table empty: its rows are lost. Keep a copy before the"
            + " forward step (CREATE TABLE "
            + t.name()
            + "_backup AS SELECT * FROM "
            + t.name()
            + ") and copy it back after the rollback",
        new Step(DROP_FK, fkDrops, List.of()),
        new Step(DROP_TABLE, List.of("DROP TABLE " + table), recreate));
  }

  private void tableChanged(DiffSchema.Table old, DiffSchema.Table t) {
    int first = changes.size();
    compareTables(old, t);
    if (syntax == Syntax.SQLITE) {
      List<String> reasons = rebuildReasons(old, t);
      if (!reasons.isEmpty() && changes.size() > first) {
        Step rebuild =
            new Step(
                ALTER_COLUMN,
                rebuild(old, t, before, after, reasons),
                rebuild(t, old, after, before, reasons));
        for (int i = first; i < changes.size(); i++) {
          Change c = changes.get(i);
          changes.set(
              i,
              new Change(
                  c.object(),
                  c.change(),
                  c.impact(),
                  c.severity(),
                  c.why(),
                  i == first ? List.of(rebuild) : List.of(),
                  c.rollbackNote(),
                  c.note()));
        }
      }
    }
  }

  private void compareTables(DiffSchema.Table old, DiffSchema.Table t) {
    String table = pg.quote(t.name());
    for (DiffSchema.Col c : t.columns().values()) {
      DiffSchema.Col o = old.columns().get(c.name());
      String object = "column " + t.name() + "." + c.name();
      String alter = "ALTER TABLE " + table + " ";
      String col = pg.quote(c.name());
      if (o == null) {
        boolean fills = c.nullable() || c.defaultValue() != null || c.identity();
        add(
            object,
            "added",
            fills ? Impact.COMPATIBLE : Impact.BREAKING,
            fills ? "low" : "high",
            fills
                ? "a new column with a default or NULL"
                : "NOT NULL without a default: INSERTs that do not name it fail, and adding it"
                    + " fails on a table with rows",
            "rolling back drops the column with the values written to it meanwhile",
            new Step(
                ADD_COLUMN,
                List.of(alter + "ADD COLUMN " + columnDef(c)),
                List.of(alter + "DROP COLUMN " + col)));
        continue;
      }
      if (!TypeWidth.same(baseType(o), baseType(c))) {
        boolean widening = TypeWidth.widens(o.type(), c.type());
        add(
            object,
            "type " + o.type() + " → " + c.type(),
            widening ? Impact.POTENTIALLY_BREAKING : Impact.BREAKING,
            widening ? "medium" : "high",
            widening
                ? "every value fits; consumers that check lengths or bind types may need a change"
                : "values may not fit or change meaning; readers and writers may fail",
            widening
                ? "rolling back narrows the type again: it fails if a wider value was written"
                    + " meanwhile (find them first)"
                : "rolling back restores the old type; values converted forward stay converted",
            new Step(
                ALTER_COLUMN,
                List.of(alterType(alter, col, c)),
                List.of(alterType(alter, col, o))));
      }
      if (o.nullable() != c.nullable()) {
        add(
            object,
            c.nullable() ? "now nullable" : "now NOT NULL",
            c.nullable() ? Impact.POTENTIALLY_BREAKING : Impact.BREAKING,
            c.nullable() ? "medium" : "high",
            c.nullable()
                ? "readers may meet NULL"
                : "writers of NULL fail; the forward step fails while a row holds NULL",
            c.nullable() ? "rolling back fails while a row holds NULL" : null,
            new Step(
                ALTER_COLUMN,
                List.of(alterNullable(alter, col, c)),
                List.of(alterNullable(alter, col, o))));
      }
      if (syntax == Syntax.SQLITE && o.autoincrement() != c.autoincrement()) {
        add(
            object,
            c.autoincrement() ? "AUTOINCREMENT added" : "AUTOINCREMENT dropped",
            c.autoincrement() ? Impact.COMPATIBLE : Impact.POTENTIALLY_BREAKING,
            c.autoincrement() ? "low" : "medium",
            c.autoincrement()
                ? "keys of deleted rows are no longer reused"
                : "new rows may reuse the keys of deleted rows",
            c.autoincrement()
                ? null
                : "rolling back restores AUTOINCREMENT, but keys reused meanwhile stay reused",
            new Step(
                ALTER_COLUMN,
                List.of(
                    sqliteCannot(
                        alter,
                        col,
                        c.autoincrement() ? "add AUTOINCREMENT" : "drop AUTOINCREMENT")),
                List.of(
                    sqliteCannot(
                        alter,
                        col,
                        o.autoincrement() ? "add AUTOINCREMENT" : "drop AUTOINCREMENT"))));
      }
      if (!Objects.equals(o.defaultValue(), c.defaultValue())) {
        add(
            object,
            "default " + o.defaultValue() + " → " + c.defaultValue(),
            Impact.COMPATIBLE,
            "low",
            "new rows get another default",
            null,
            new Step(
                ALTER_COLUMN,
                List.of(setDefault(alter, col, c)),
                List.of(setDefault(alter, col, o))));
      }
      charsetAndCollation(object, alter, col, o, c);
      generationChanged(object, old, t, o, c);
    }
    tableCollationChanged(old, t);
    if (old.withoutRowid() != t.withoutRowid()) {
      add(
          "table " + t.name(),
          t.withoutRowid() ? "WITHOUT ROWID added" : "WITHOUT ROWID dropped",
          t.withoutRowid() ? Impact.POTENTIALLY_BREAKING : Impact.COMPATIBLE,
          t.withoutRowid() ? "medium" : "low",
          t.withoutRowid()
              ? "readers of rowid fail; the primary key becomes the table's key"
              : "the table gets a rowid again",
          null,
          new Step(
              ALTER_COLUMN,
              List.of(sqliteCannot("ALTER TABLE " + table, "", "change WITHOUT ROWID")),
              List.of(sqliteCannot("ALTER TABLE " + table, "", "change WITHOUT ROWID"))));
    }
    for (DiffSchema.Col o : old.columns().values()) {
      if (!t.columns().containsKey(o.name())) {
        String col = pg.quote(o.name());
        add(
            "column " + t.name() + "." + o.name(),
            "dropped",
            Impact.BREAKING,
            "critical",
            "its readers and writers fail",
            "rolling back re-adds the column empty (NULL or its default): its values are lost. Keep"
                + " them before the forward step (CREATE TABLE "
                + t.name()
                + "_"
                + o.name()
                + "_backup AS SELECT key columns and "
                + o.name()
                + " FROM "
                + t.name()
                + ") and update them back after the rollback",
            new Step(
                DROP_COLUMN,
                List.of("ALTER TABLE " + table + " DROP COLUMN " + col),
                List.of("ALTER TABLE " + table + " ADD COLUMN " + columnDef(o, true))));
      }
    }
    primaryKeyChanged(old, t);
    for (List<String> u : t.uniques()) {
      if (!old.uniques().contains(u)) {
        add(
            "unique key " + t.name() + "." + uniqueName(t, u),
            "added",
            Impact.POTENTIALLY_BREAKING,
            "medium",
            "writes of a duplicate fail; the forward step fails while duplicates exist",
            null,
            new Step(
                ADD_CONSTRAINT,
                List.of(addUnique(t, u)),
                List.of(dropConstraint(t, uniqueName(t, u), Kind.UNIQUE))));
      }
    }
    for (List<String> u : old.uniques()) {
      if (!t.uniques().contains(u)) {
        noteDerived(old, uniqueName(old, u), old.names().uniques().get(u));
        add(
            "unique key " + t.name() + "." + uniqueName(old, u),
            "dropped",
            Impact.COMPATIBLE,
            "low",
            "duplicates become possible",
            "rolling back fails if duplicates were written meanwhile",
            new Step(
                DROP_CONSTRAINT,
                List.of(dropConstraint(old, uniqueName(old, u), Kind.UNIQUE)),
                List.of(addUnique(old, u))));
      }
    }
    for (String check : t.checks()) {
      if (old.checks().stream().noneMatch(c -> norm(c).equals(norm(check)))) {
        add(
            "check " + t.name() + "." + checkName(t, check),
            "added: " + check,
            Impact.POTENTIALLY_BREAKING,
            "medium",
            "writes that violate it fail; the forward step fails while a row violates it",
            null,
            new Step(
                ADD_CONSTRAINT,
                List.of(addCheck(t, check)),
                List.of(dropConstraint(t, checkName(t, check), Kind.CHECK))));
      }
    }
    for (String check : old.checks()) {
      if (t.checks().stream().noneMatch(c -> norm(c).equals(norm(check)))) {
        noteDerived(old, checkName(old, check), old.names().checks().get(norm(check)));
        add(
            "check " + t.name() + "." + checkName(old, check),
            "dropped: " + check,
            Impact.COMPATIBLE,
            "low",
            "values it refused become possible",
            "rolling back fails if a violating row was written meanwhile",
            new Step(
                DROP_CONSTRAINT,
                List.of(dropConstraint(old, checkName(old, check), Kind.CHECK)),
                List.of(addCheck(old, check))));
      }
    }
    for (DiffSchema.Fk fk : t.foreignKeys()) {
      DiffSchema.Fk was = old.foreignKeys().stream().filter(fk::sameKey).findFirst().orElse(null);
      if (was != null && !was.equals(fk)) {
        fkActionsChanged(old, t, was, fk);
      } else if (was == null) {
        add(
            "foreign key " + t.name() + "." + fkName(t, fk),
            "added",
            Impact.POTENTIALLY_BREAKING,
            "medium",
            "writes of an orphan fail; the forward step fails while orphans exist",
            null,
            new Step(
                ADD_FK,
                List.of(addFk(t, fk)),
                List.of(dropConstraint(t, fkName(t, fk), Kind.FOREIGN_KEY))));
      }
    }
    for (DiffSchema.Fk fk : old.foreignKeys()) {
      if (t.foreignKeys().stream().noneMatch(fk::sameKey)) {
        noteDerived(old, fkName(old, fk), old.names().foreignKeys().get(fk.columns()));
        add(
            "foreign key " + t.name() + "." + fkName(old, fk),
            "dropped",
            Impact.COMPATIBLE,
            "low",
            "orphans become possible",
            "rolling back fails if orphans were written meanwhile",
            new Step(
                DROP_FK,
                List.of(dropConstraint(old, fkName(old, fk), Kind.FOREIGN_KEY)),
                List.of(addFk(old, fk))));
      }
    }
    for (DiffSchema.Index ix : t.indexes()) {
      DiffSchema.Index was = indexNamed(old, ix.name());
      if (was != null && !was.sameAs(ix)) {
        add(
            "index " + ix.name(),
            "definition changed",
            ix.unique() && !was.unique() ? Impact.POTENTIALLY_BREAKING : Impact.COMPATIBLE,
            ix.unique() && !was.unique() ? "medium" : "low",
            "queries may use it otherwise"
                + (ix.unique() ? "; writes of a duplicate of what it covers fail" : ""),
            null,
            new Step(DROP_CONSTRAINT, List.of(dropIndex(old, was)), List.of(createIndex(old, was))),
            new Step(ADD_INDEX, List.of(createIndex(t, ix)), List.of(dropIndex(t, ix))));
      } else if (was == null) {
        add(
            "index " + ix.name(),
            "added",
            ix.unique() ? Impact.POTENTIALLY_BREAKING : Impact.COMPATIBLE,
            ix.unique() ? "medium" : "low",
            ix.unique()
                ? "writes of a duplicate fail"
                : "queries may use it; writes are a little slower",
            null,
            new Step(ADD_INDEX, List.of(createIndex(t, ix)), List.of(dropIndex(t, ix))));
      }
    }
    for (DiffSchema.Index ix : old.indexes()) {
      if (indexNamed(t, ix.name()) == null) {
        add(
            "index " + ix.name(),
            "dropped",
            Impact.POTENTIALLY_BREAKING,
            "medium",
            "queries that used it may become slow",
            null,
            new Step(DROP_CONSTRAINT, List.of(dropIndex(old, ix)), List.of(createIndex(old, ix))));
      }
    }
  }

  /**
   * MariaDB/MySQL: the table's default character set and collation changed ({@code ALTER TABLE ...
   * DEFAULT CHARACTER SET cs COLLATE c}, the character set being the collation's prefix). It
   * converts no stored value: the existing columns keep theirs (each one's own change is a change
   * of that column).
   */
  private void tableCollationChanged(DiffSchema.Table old, DiffSchema.Table t) {
    if (syntax != Syntax.MYSQL
        || old.collation() == null
        || t.collation() == null
        || old.collation().equalsIgnoreCase(t.collation())) {
      return;
    }
    pendingNote =
        "the existing columns keep their character set and collation: only columns added later"
            + " without their own get the new default. To convert the columns too, use ALTER TABLE "
            + pg.quote(t.name())
            + " CONVERT TO CHARACTER SET "
            + charsetOf(t.collation())
            + " COLLATE "
            + t.collation()
            + " (it rewrites every text value and copies the table)";
    add(
        "table " + t.name(),
        "default character set and collation " + old.collation() + " → " + t.collation(),
        Impact.COMPATIBLE,
        "low",
        "columns added later without a character set of their own get the new default; the"
            + " existing ones keep theirs",
        null,
        new Step(ALTER_COLUMN, List.of(defaultCollation(t)), List.of(defaultCollation(old))));
  }

  private String defaultCollation(DiffSchema.Table t) {
    return "ALTER TABLE "
        + pg.quote(t.name())
        + " DEFAULT CHARACTER SET "
        + charsetOf(t.collation())
        + " COLLATE "
        + t.collation();
  }

  /** The character set a MariaDB/MySQL collation belongs to: its name up to the first '_'. */
  private static String charsetOf(String collation) {
    int i = collation.indexOf('_');
    return i < 0 ? collation : collation.substring(0, i);
  }

  private static DiffSchema.Index indexNamed(DiffSchema.Table t, String name) {
    return t.indexes().stream().filter(i -> i.name().equals(name)).findFirst().orElse(null);
  }

  /**
   * A column's character set (MariaDB/MySQL) or collation changed: a change of its own. MariaDB's
   * catalogue names a column's collation only when it differs from its table's default, but spells
   * the column's own character set and collation in its type: those are compared, so a column whose
   * table default changed with it (latin1 to utf8mb4, default collations on both sides) is a
   * change.
   */
  private void charsetAndCollation(
      String object, String alter, String col, DiffSchema.Col o, DiffSchema.Col c) {
    String charset = spelled(CHARSET, o);
    String newCharset = spelled(CHARSET, c);
    if (charset != null && newCharset != null && !charset.equalsIgnoreCase(newCharset)) {
      charsetChanged(object, alter, col, o, c);
      return;
    }
    // both types spell their collation (two MariaDB catalogues): compared whatever the tables'
    // defaults; otherwise as declared
    boolean spelled = spelled(COLLATE, o) != null && spelled(COLLATE, c) != null;
    String from = spelled ? spelled(COLLATE, o) : o.collation();
    String to = spelled ? spelled(COLLATE, c) : c.collation();
    if (!Objects.equals(from, to)) {
      add(
          object,
          "collation " + orElse(from, "default") + " → " + orElse(to, "default"),
          Impact.POTENTIALLY_BREAKING,
          "medium",
          "comparisons, sorting and unique keys on the column follow the other collation",
          "rolling back fails if values equal under one collation collide in a unique key",
          new Step(
              ALTER_COLUMN,
              List.of(alterCollation(alter, col, c)),
              List.of(alterCollation(alter, col, o))));
    }
  }

  /** MariaDB/MySQL: the column's character set changed; MODIFY COLUMN converts its values. */
  private void charsetChanged(
      String object, String alter, String col, DiffSchema.Col o, DiffSchema.Col c) {
    String from = spelled(CHARSET, o);
    String to = spelled(CHARSET, c);
    pendingNote =
        "MODIFY COLUMN converts every stored value from "
            + from
            + " to "
            + to
            + " (the table is copied: on a large table it takes time and blocks writes); byte"
            + " lengths change, so an index on the column may exceed its key length limit";
    add(
        object,
        "character set "
            + from
            + " → "
            + to
            + " (collation "
            + spelled(COLLATE, o)
            + " → "
            + spelled(COLLATE, c)
            + ")",
        Impact.POTENTIALLY_BREAKING,
        "medium",
        "the values are converted to "
            + to
            + "; comparisons, sorting and unique keys follow its collation, and clients that"
            + " read or write bytes in "
            + from
            + " see other bytes",
        "rolling back converts the values back to "
            + from
            + ": a value with a character "
            + from
            + " cannot hold, written meanwhile, fails it under a strict sql_mode (MariaDB's"
            + " default) and becomes '?' without one; find such rows first (WHERE CONVERT("
            + col
            + " USING "
            + from
            + ") <> "
            + col
            + ")",
        new Step(
            ALTER_COLUMN,
            List.of(alter + "MODIFY COLUMN " + columnDef(c)),
            List.of(alter + "MODIFY COLUMN " + columnDef(o))));
  }

  /** {@code CHARACTER SET} or {@code COLLATE} as a MariaDB/MySQL type spells it; null if not. */
  private String spelled(Pattern clause, DiffSchema.Col c) {
    if (syntax != Syntax.MYSQL) {
      return null;
    }
    Matcher m = clause.matcher(GENERATED_IN_TYPE.matcher(c.type()).replaceFirst(""));
    return m.find() ? m.group(1) : null;
  }

  private static final Pattern CHARSET =
      Pattern.compile("\\sCHARACTER\\s+SET\\s+(\\S+)", Pattern.CASE_INSENSITIVE);
  private static final Pattern COLLATE =
      Pattern.compile("\\sCOLLATE\\s+(\\S+)", Pattern.CASE_INSENSITIVE);

  /** A column's generation changed (added, dropped, another expression). */
  private void generationChanged(
      String object, DiffSchema.Table old, DiffSchema.Table t, DiffSchema.Col o, DiffSchema.Col c) {
    if (Objects.equals(generation(o), generation(c))) {
      if (o.generated() != null && !Objects.equals(spelledKind(o), spelledKind(c))) {
        kindChanged(object, old, t, o, c);
      }
      return;
    }
    Impact impact =
        o.generated() == null
            ? Impact.BREAKING
            : c.generated() == null ? Impact.COMPATIBLE : Impact.POTENTIALLY_BREAKING;
    String change =
        "generated " + orElse(generation(o), "none") + " → " + orElse(generation(c), "none");
    String severity =
        impact == Impact.BREAKING ? "high" : impact == Impact.COMPATIBLE ? "low" : "medium";
    String why =
        o.generated() == null
            ? "writes that name the column fail; its values are computed"
            : c.generated() == null
                ? "the column keeps its values and takes writes"
                : "readers see values computed otherwise";
    if (syntax == Syntax.POSTGRESQL
        && o.generated() != null
        && c.generated() != null
        && !target.atLeast(17)) {
      pendingNote = readdNote(old, t, c);
      add(
          object,
          change,
          impact,
          severity,
          why,
          "rolling back drops the column and adds it again with the old expression: its values"
              + " are computed again, none is lost",
          readdSteps(t, c, readd(t, c, old), readd(old, o, t)));
      return;
    }
    String alter = "ALTER TABLE " + pg.quote(t.name()) + " ";
    String col = pg.quote(c.name());
    if (syntax == Syntax.POSTGRESQL && o.generated() == null) {
      // PostgreSQL makes no existing column generated: dropped and added again as generated
      pendingNote = madeGeneratedNote(old, t, c);
      add(
          object,
          change,
          impact,
          severity,
          why,
          "rolling back keeps the computed values as plain ones (ALTER COLUMN ... DROP EXPRESSION,"
              + " PostgreSQL 13 or newer): the values the column held before the forward step are"
              + " lost. Keep them first (ALTER TABLE "
              + pg.quote(t.name())
              + " ADD COLUMN "
              + pg.quote(c.name() + "_kept")
              + " "
              + o.type()
              + "; UPDATE "
              + pg.quote(t.name())
              + " SET "
              + pg.quote(c.name() + "_kept")
              + " = "
              + col
              + ") and after the rollback copy them back (UPDATE ... SET "
              + col
              + " = "
              + pg.quote(c.name() + "_kept")
              + ") and drop the copy column",
          readdSteps(
              t, c, readd(t, c, old), List.of(alter + "ALTER COLUMN " + col + " DROP EXPRESSION")));
      return;
    }
    if (syntax == Syntax.POSTGRESQL && c.generated() == null) {
      // DROP EXPRESSION keeps the values; back, the column is dropped and added again as generated
      add(
          object,
          change,
          impact,
          severity,
          why,
          "rolling back drops the column and adds it again as generated (PostgreSQL makes no"
              + " existing column generated): its values are computed again, values written to it"
              + " meanwhile are lost, and it moves to the end of the table's columns",
          readdSteps(
              t, c, List.of(alter + "ALTER COLUMN " + col + " DROP EXPRESSION"), readd(old, o, t)));
      return;
    }
    add(
        object,
        change,
        impact,
        severity,
        why,
        c.generated() == null
            ? "rolling back computes the column again: values written to it meanwhile are lost"
            : null,
        new Step(
            ALTER_COLUMN,
            List.of(alterGeneration(alter, col, o, c)),
            List.of(alterGeneration(alter, col, c, o))));
  }

  /**
   * PostgreSQL: column {@code c} of {@code t} dropped and added again one way or both ({@link
   * #readd}): before 17 (no {@code ALTER COLUMN ... SET EXPRESSION}) for a new expression, and to
   * make a plain column generated, which no version does in place. DROP COLUMN drops the indexes,
   * unique keys and CHECKs on it: those the diff leaves unchanged are re-created in the same step;
   * the unchanged views that use it (DROP COLUMN fails while one does) are dropped before and
   * re-created after, each once.
   */
  private Step[] readdSteps(
      DiffSchema.Table t, DiffSchema.Col c, List<String> forward, List<String> rollback) {
    List<Step> steps = new ArrayList<>();
    steps.add(new Step(ALTER_COLUMN, forward, rollback));
    for (DiffSchema.View v : viewsUsing(t, c)) {
      if (viewsRecreated.add(v.name())) {
        steps.add(new Step(DROP_VIEW, List.of(dropView(v.name())), List.of(createView(v))));
        steps.add(new Step(CREATE_VIEW, List.of(createView(v)), List.of(dropView(v.name()))));
      }
    }
    return steps.toArray(new Step[0]);
  }

  /** Drops column {@code c} of {@code t}, adds it again, re-creates what the drop took with it. */
  private List<String> readd(DiffSchema.Table t, DiffSchema.Col c, DiffSchema.Table other) {
    String alter = "ALTER TABLE " + pg.quote(t.name()) + " ";
    List<String> out = new ArrayList<>();
    out.add(alter + "DROP COLUMN " + pg.quote(c.name()));
    out.add(alter + "ADD COLUMN " + columnDef(c));
    for (List<String> u : t.uniques()) {
      if (u.contains(c.name()) && other.uniques().contains(u)) {
        out.add(addUnique(t, u));
      }
    }
    for (String check : t.checks()) {
      if (names(check, c.name()) && normSet(other.checks()).contains(norm(check))) {
        out.add(addCheck(t, check));
      }
    }
    for (DiffSchema.Index ix : t.indexes()) {
      DiffSchema.Index same = indexNamed(other, ix.name());
      if (same != null && same.sameAs(ix) && indexUses(ix, c.name())) {
        out.add(createIndex(t, ix));
      }
    }
    return out;
  }

  private static boolean indexUses(DiffSchema.Index ix, String column) {
    return ix.columns().contains(column)
        || names(ix.predicate(), column)
        || (ix.columns().isEmpty() && names(ix.definition(), column));
  }

  /** The views the diff leaves alone that name table {@code t} and column {@code c}. */
  private List<DiffSchema.View> viewsUsing(DiffSchema.Table t, DiffSchema.Col c) {
    return unchangedViewsNaming(t.name()).stream()
        .filter(v -> names(v.definition(), c.name()))
        .toList();
  }

  /** The note of a generated column dropped and added again (PostgreSQL before 17). */
  private String readdNote(DiffSchema.Table old, DiffSchema.Table t, DiffSchema.Col c) {
    List<String> indexes =
        t.indexes().stream()
            .filter(ix -> indexUses(ix, c.name()) && indexNamed(old, ix.name()) != null)
            .map(DiffSchema.Index::name)
            .toList();
    List<String> views = viewsUsing(t, c).stream().map(DiffSchema.View::name).toList();
    return "cannot be done in place on "
        + target.describe()
        + ": ALTER COLUMN ... SET EXPRESSION needs PostgreSQL 17"
        + (target.serverVersion() == null
            ? " (the target's version is unknown: pass --target-version 17 or newer to get it)"
            : "")
        + ". The column is dropped and added again with the new expression, its values computed"
        + " anew; it moves to the end of the table's columns (SELECT * sees another order). DROP"
        + " COLUMN drops the indexes, unique keys and CHECKs on it: the step re-creates them"
        + (indexes.isEmpty() ? "" : " (indexes " + String.join(", ", indexes) + ")")
        + "; the views that use it"
        + (views.isEmpty() ? "" : " (" + String.join(", ", views) + ")")
        + " are dropped before and re-created after. Other objects that depend on it (foreign"
        + " keys referencing it, materialized views, rules, policies, triggers) make the DROP"
        + " fail: drop them first and re-create them after by hand";
  }

  /**
   * MariaDB/MySQL: a generated column changed between VIRTUAL and STORED, its expression the same
   * (the catalogue spells the kind in the type only). MariaDB refuses it as a {@code MODIFY COLUMN}
   * ("not yet supported for generated columns"), so the column is dropped and added again with the
   * other kind, both ways ({@link #readd}: its indexes, unique keys and CHECKs re-created); the
   * values stay what the expression computes.
   */
  private void kindChanged(
      String object, DiffSchema.Table old, DiffSchema.Table t, DiffSchema.Col o, DiffSchema.Col c) {
    pendingNote =
        "MariaDB changes no generated column between VIRTUAL and STORED in place: the column is"
            + " dropped and added again as "
            + spelledKind(c)
            + ", which copies the table (on a large table it takes time and blocks writes)"
            + ("STORED".equals(spelledKind(c))
                ? " and computes and writes every row's value"
                : "; its values are computed on each read")
            + ". It moves to the end of the table's columns (SELECT * sees another order); its"
            + " indexes, unique keys and CHECKs are re-created";
    add(
        object,
        "generated " + spelledKind(o) + " → " + spelledKind(c),
        Impact.COMPATIBLE,
        "low",
        "readers see the same values; "
            + ("STORED".equals(spelledKind(c))
                ? "they are kept on disk (more space, faster reads)"
                : "they are computed on each read (less space, slower reads)"),
        "rolling back drops the column and adds it again as "
            + spelledKind(o)
            + ": its values are computed again, none is lost",
        new Step(ALTER_COLUMN, readd(t, c, old), readd(old, o, t)));
  }

  /** {@code VIRTUAL} or {@code STORED} as a MariaDB/MySQL type spells it; null if not. */
  private String spelledKind(DiffSchema.Col c) {
    if (syntax != Syntax.MYSQL) {
      return null;
    }
    Matcher m = KIND_IN_TYPE.matcher(c.type());
    return m.find() ? m.group(1).toUpperCase(java.util.Locale.ROOT) : null;
  }

  private static final Pattern KIND_IN_TYPE =
      Pattern.compile("\\)\\s*(VIRTUAL|STORED)\\s*$", Pattern.CASE_INSENSITIVE);

  /** The note of a plain column made generated (PostgreSQL: dropped and added again). */
  private String madeGeneratedNote(DiffSchema.Table old, DiffSchema.Table t, DiffSchema.Col c) {
    List<String> views = viewsUsing(t, c).stream().map(DiffSchema.View::name).toList();
    return "PostgreSQL cannot make an existing column generated: the column is dropped and added"
        + " again as generated, every row's value computed by the expression (the values it held"
        + " are replaced); it moves to the end of the table's columns (SELECT * sees another"
        + " order). DROP COLUMN drops the indexes, unique keys and CHECKs on it: the step"
        + " re-creates them; the views that use it"
        + (views.isEmpty() ? "" : " (" + String.join(", ", views) + ")")
        + " are dropped before and re-created after. Other objects that depend on it (foreign"
        + " keys referencing it, materialized views, rules, policies, triggers) make the DROP"
        + " fail: drop them first and re-create them after by hand";
  }

  /** {@code expression [kind]} of a generated column, null for another. */
  private static String generation(DiffSchema.Col c) {
    return c.generated() == null
        ? null
        : norm(c.generated()) + (c.generatedKind() == null ? "" : " " + c.generatedKind());
  }

  private static String orElse(String s, String otherwise) {
    return s == null ? otherwise : s;
  }

  /** The column's collation changed to {@code c}'s (null: the default). */
  private String alterCollation(String alter, String col, DiffSchema.Col c) {
    return switch (syntax) {
      case MYSQL -> alter + "MODIFY COLUMN " + columnDef(c);
      case SQLITE -> sqliteCannot(alter, col, "change a column's collation");
      case POSTGRESQL ->
          alter
              + "ALTER COLUMN "
              + col
              + " TYPE "
              + c.type()
              + " COLLATE "
              + orElse(c.collation(), "\"default\"");
    };
  }

  /** The column's generation changed from {@code o}'s to {@code c}'s. */
  private String alterGeneration(String alter, String col, DiffSchema.Col o, DiffSchema.Col c) {
    return switch (syntax) {
      case MYSQL -> alter + "MODIFY COLUMN " + columnDef(c);
      case SQLITE -> sqliteCannot(alter, col, "change a column's generation");
      case POSTGRESQL ->
          c.generated() == null
              ? alter + "ALTER COLUMN " + col + " DROP EXPRESSION"
              : alter + "ALTER COLUMN " + col + " SET EXPRESSION AS (" + c.generated() + ")";
    };
  }

  /** Same key, other ON DELETE or ON UPDATE: dropped and added again with the new actions. */
  private void fkActionsChanged(
      DiffSchema.Table old, DiffSchema.Table t, DiffSchema.Fk was, DiffSchema.Fk fk) {
    List<String> what = new ArrayList<>();
    if (!was.onDelete().equals(fk.onDelete())) {
      what.add("ON DELETE " + was.onDelete() + " → " + fk.onDelete());
    }
    if (!was.onUpdate().equals(fk.onUpdate())) {
      what.add("ON UPDATE " + was.onUpdate() + " → " + fk.onUpdate());
    }
    if (was.deferred() != fk.deferred()) {
      what.add(
          fk.deferred()
              ? "DEFERRABLE INITIALLY DEFERRED added"
              : "DEFERRABLE INITIALLY DEFERRED dropped");
    }
    noteDerived(old, fkName(old, was), old.names().foreignKeys().get(was.columns()));
    add(
        "foreign key " + t.name() + "." + fkName(t, fk),
        String.join(", ", what),
        Impact.POTENTIALLY_BREAKING,
        "medium",
        was.onDelete().equals(fk.onDelete()) && was.onUpdate().equals(fk.onUpdate())
            ? "the key is checked at "
                + (fk.deferred() ? "COMMIT instead of each statement" : "each statement")
            : "deletes and updates of the parent's rows act otherwise on the child's",
        null,
        new Step(
            DROP_FK,
            List.of(dropConstraint(old, fkName(old, was), Kind.FOREIGN_KEY)),
            List.of(addFk(old, was))),
        new Step(
            ADD_FK,
            List.of(addFk(t, fk)),
            List.of(dropConstraint(t, fkName(t, fk), Kind.FOREIGN_KEY))));
  }

  private void primaryKeyChanged(DiffSchema.Table old, DiffSchema.Table t) {
    if (old.primaryKey().equals(t.primaryKey())) {
      return;
    }
    boolean added = old.primaryKey().isEmpty();
    boolean dropped = t.primaryKey().isEmpty();
    List<Step> steps = new ArrayList<>();
    if (!added) {
      steps.add(
          new Step(DROP_CONSTRAINT, List.of(dropPrimaryKey(old)), List.of(addPrimaryKey(old))));
    }
    if (!dropped) {
      steps.add(new Step(ADD_CONSTRAINT, List.of(addPrimaryKey(t)), List.of(dropPrimaryKey(t))));
    }
    add(
        "primary key " + t.name(),
        added
            ? "added " + t.primaryKey()
            : dropped
                ? "dropped " + old.primaryKey()
                : "columns " + old.primaryKey() + " → " + t.primaryKey(),
        added || dropped ? Impact.POTENTIALLY_BREAKING : Impact.BREAKING,
        added || dropped ? "medium" : "high",
        added
            ? "writes of a duplicate or NULL key fail; the forward step fails while one exists"
            : dropped
                ? "duplicate rows become possible; consumers that identify rows by it may fail"
                : "rows are identified by other columns; consumers keyed by the old key may fail",
        dropped ? "rolling back fails if duplicates or NULLs were written meanwhile" : null,
        steps.toArray(new Step[0]));
  }

  private String addPrimaryKey(DiffSchema.Table t) {
    String alter = "ALTER TABLE " + pg.quote(t.name());
    return switch (syntax) {
      case MYSQL -> alter + " ADD PRIMARY KEY (" + cols(t.primaryKey()) + ")";
      case SQLITE -> sqliteCannot(alter, cols(t.primaryKey()), "add a primary key");
      case POSTGRESQL ->
          alter
              + " ADD CONSTRAINT "
              + pg.quote(pkName(t))
              + " PRIMARY KEY ("
              + cols(t.primaryKey())
              + ")";
    };
  }

  private String dropPrimaryKey(DiffSchema.Table t) {
    String alter = "ALTER TABLE " + pg.quote(t.name());
    return switch (syntax) {
      case MYSQL -> alter + " DROP PRIMARY KEY";
      case SQLITE -> sqliteCannot(alter, cols(t.primaryKey()), "drop a primary key");
      case POSTGRESQL -> {
        noteDerived(t, pkName(t), t.names().primaryKey());
        yield alter + " DROP CONSTRAINT " + pg.quote(pkName(t));
      }
    };
  }

  /**
   * What in {@code old} → {@code t} SQLite's ALTER TABLE cannot do (empty: add and drop columns,
   * and create and drop indexes, are enough).
   */
  private static List<String> rebuildReasons(DiffSchema.Table old, DiffSchema.Table t) {
    List<String> why = new ArrayList<>();
    for (DiffSchema.Col c : t.columns().values()) {
      DiffSchema.Col o = old.columns().get(c.name());
      if (o == null) {
        if (!c.nullable() && c.defaultValue() == null && !c.identity()) {
          why.add("add the NOT NULL column " + c.name() + " without a default");
        }
        if ("STORED".equals(c.generatedKind())) {
          why.add("add the STORED generated column " + c.name());
        }
        continue;
      }
      if (!TypeWidth.same(o.type(), c.type())) {
        why.add("change the type of " + c.name());
      }
      if (o.nullable() != c.nullable()) {
        why.add("change NOT NULL of " + c.name());
      }
      if (o.autoincrement() != c.autoincrement()) {
        why.add((c.autoincrement() ? "add" : "drop") + " AUTOINCREMENT of " + c.name());
      }
      if (!Objects.equals(o.defaultValue(), c.defaultValue())) {
        why.add("change the default of " + c.name());
      }
      if (!Objects.equals(o.collation(), c.collation())) {
        why.add("change the collation of " + c.name());
      }
      if (!Objects.equals(generation(o), generation(c))) {
        why.add("change the generation of " + c.name());
      }
    }
    if (old.withoutRowid() != t.withoutRowid()) {
      why.add((t.withoutRowid() ? "add" : "drop") + " WITHOUT ROWID");
    }
    if (!old.primaryKey().equals(t.primaryKey())) {
      why.add("change the primary key");
    }
    if (!Set.copyOf(old.uniques()).equals(Set.copyOf(t.uniques()))) {
      why.add("add or drop a UNIQUE constraint");
    }
    if (!normSet(old.checks()).equals(normSet(t.checks()))) {
      why.add("add or drop a CHECK constraint");
    }
    if (!Set.copyOf(old.foreignKeys()).equals(Set.copyOf(t.foreignKeys()))) {
      why.add("add or drop a foreign key");
    }
    return why;
  }

  private static Set<String> normSet(List<String> expressions) {
    Set<String> out = new java.util.HashSet<>();
    expressions.forEach(e -> out.add(norm(e)));
    return out;
  }

  /**
   * SQLite's 12-step rebuild of table {@code from} (as {@code fromSchema} has it, and the database
   * holds it) into {@code to} (as {@code toSchema} has it). Columns of {@code to} that {@code from}
   * lacks come back NULL or with their default (NOT NULL only with a default when re-added).
   */
  private List<String> rebuild(
      DiffSchema.Table from,
      DiffSchema.Table to,
      DiffSchema fromSchema,
      DiffSchema toSchema,
      List<String> reasons) {
    String x = pg.quote(to.name());
    String newName = freeName("new_" + to.name());
    String newX = pg.quote(newName);
    // the rollback re-adds the columns the forward step dropped: NOT NULL only with a default
    boolean rollback = fromSchema == after;
    // a generated column of the new table computes its values: it is not copied
    List<String> common =
        to.columns().values().stream()
            .filter(c -> c.generated() == null && from.columns().containsKey(c.name()))
            .map(DiffSchema.Col::name)
            .toList();
    List<DiffSchema.View> views = unchangedViewsNaming(to.name());
    List<String> out = new ArrayList<>();
    out.add(
        "-- rebuild of table "
            + x
            + " (SQLite's ALTER TABLE cannot "
            + String.join(", ", reasons)
            + "): the 12 steps of https://www.sqlite.org/lang_altertable.html#otheralter, run as"
            + " one block; on an error run ROLLBACK and PRAGMA foreign_keys=ON");
    out.add("PRAGMA foreign_keys=OFF");
    out.add("BEGIN");
    // a rename fails while a view or trigger names a missing table: drop them before, re-create
    // them after
    views.forEach(v -> out.add("DROP VIEW IF EXISTS " + pg.quote(v.name())));
    if (fromSchema.triggers() == null) {
      out.add(
          "-- the schema read carries no triggers: drop the triggers of other tables that name "
              + x
              + " by hand first (the rename below fails while one does)");
    } else {
      otherTriggersNaming(fromSchema, to.name())
          .forEach(t -> out.add("DROP TRIGGER IF EXISTS " + pg.quote(t.name())));
    }
    java.util.function.Predicate<String> readded = c -> rollback && !from.columns().containsKey(c);
    out.add(
        keepsDefinition(to, readded)
            ? renamed(to.definition(), newX)
            : createTable(newX, to, readded));
    out.add(
        "INSERT INTO " + newX + " (" + cols(common) + ") SELECT " + cols(common) + " FROM " + x);
    if (autoincrement(from) && autoincrement(to)) {
      out.addAll(carrySequence(to.name(), newName));
    }
    out.add("DROP TABLE " + x);
    out.add("ALTER TABLE " + newX + " RENAME TO " + x);
    to.indexes().forEach(ix -> out.add(createIndex(to, ix)));
    if (toSchema.triggers() == null) {
      out.add(
          "-- DROP TABLE dropped the triggers of "
              + x
              + " and the schema read carries none: re-create them, and the triggers of other"
              + " tables that name it, by hand");
    } else {
      for (DiffSchema.Trigger t : toSchema.triggers()) {
        if (t.table().equalsIgnoreCase(to.name())) {
          out.add(createTrigger(t));
        }
      }
      otherTriggersNaming(toSchema, to.name()).forEach(t -> out.add(createTrigger(t)));
    }
    views.forEach(v -> out.add(createView(v)));
    out.add("-- COMMIT only if PRAGMA foreign_key_check returns no rows; otherwise ROLLBACK");
    out.add("PRAGMA foreign_key_check");
    out.add("COMMIT");
    out.add("PRAGMA foreign_keys=ON");
    return out;
  }

  /**
   * Whether the rebuild re-creates {@code t} from its own CREATE TABLE text, with everything it
   * declares (WITHOUT ROWID, COLLATE, generated columns, DEFERRABLE, the actions of its foreign
   * keys, its CHECKs and defaults, as written): when the schema read carries the text and no column
   * the rollback re-adds is NOT NULL without a default (the generated DDL declares that one
   * nullable, so that the rows come back).
   */
  private static boolean keepsDefinition(
      DiffSchema.Table t, java.util.function.Predicate<String> readded) {
    return t.definition() != null
        && t.columns().values().stream()
            .noneMatch(
                c ->
                    readded.test(c.name())
                        && !c.nullable()
                        && c.defaultValue() == null
                        && c.generated() == null);
  }

  /**
   * {@code CREATE TABLE x (...)} as {@code CREATE TABLE newName (...)}: the text from the first
   * parenthesis outside quotes on (SQLite keeps the statement as {@code CREATE TABLE name (...)}).
   */
  static String renamed(String createTable, String newName) {
    int i = 0;
    while (i < createTable.length() && createTable.charAt(i) != '(') {
      char q = createTable.charAt(i);
      if (q == '"' || q == '`' || q == '[' || q == '\'') {
        char close = q == '[' ? ']' : q;
        i = createTable.indexOf(close, i + 1);
        if (i < 0) {
          throw new IllegalArgumentException("unterminated name in " + createTable);
        }
      }
      i++;
    }
    return "CREATE TABLE " + newName + " " + createTable.substring(i);
  }

  private static boolean autoincrement(DiffSchema.Table t) {
    return t.columns().values().stream().anyMatch(DiffSchema.Col::autoincrement);
  }

  /**
   * The AUTOINCREMENT counter of table {@code x} (its row of {@code sqlite_sequence}, which DROP
   * TABLE deletes) carried to {@code newX} before the drop; the rename to x then renames the row.
   * newX holds x's rows, so x's counter is right for it as it is. The copy of the rows has given
   * newX a row of its own (its largest key, or 0 even when x had no row): it is replaced, so that
   * no key of a deleted row is handed out again and a never-written table keeps having none.
   */
  private static List<String> carrySequence(String x, String newX) {
    return List.of(
        "DELETE FROM sqlite_sequence WHERE name = " + literal(newX),
        "INSERT INTO sqlite_sequence (name, seq) SELECT "
            + literal(newX)
            + ", seq FROM sqlite_sequence WHERE name = "
            + literal(x));
  }

  /** A SQL string literal. */
  private static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  /** {@code base}, or {@code base_2}, {@code base_3}... if a table of either schema has it. */
  private String freeName(String base) {
    Set<String> taken = new java.util.HashSet<>();
    for (DiffSchema s : List.of(before, after)) {
      s.tables().keySet().forEach(n -> taken.add(n.toLowerCase(java.util.Locale.ROOT)));
      s.views().keySet().forEach(n -> taken.add(n.toLowerCase(java.util.Locale.ROOT)));
    }
    String name = base;
    for (int i = 2; taken.contains(name.toLowerCase(java.util.Locale.ROOT)); i++) {
      name = base + "_" + i;
    }
    return name;
  }

  /** Views the diff leaves alone (same definition before and after) that name {@code table}. */
  private List<DiffSchema.View> unchangedViewsNaming(String table) {
    List<DiffSchema.View> out = new ArrayList<>();
    for (DiffSchema.View v : after.views().values()) {
      DiffSchema.View old = before.views().get(v.name());
      if (old != null && sameView(old, v) && names(v.definition(), table)) {
        out.add(v);
      }
    }
    return out;
  }

  /** Same definition and same declared column list. */
  private static boolean sameView(DiffSchema.View old, DiffSchema.View v) {
    return Objects.equals(norm(old.definition()), norm(v.definition()))
        && old.columnList().equals(v.columnList());
  }

  /** Triggers of {@code schema} on tables other than {@code table} whose DDL names it. */
  private static List<DiffSchema.Trigger> otherTriggersNaming(DiffSchema schema, String table) {
    return schema.triggers().stream()
        .filter(t -> !t.table().equalsIgnoreCase(table) && names(t.definition(), table))
        .toList();
  }

  /** Whether {@code sql} has {@code name} as a word (case-insensitive; may over-match). */
  private static boolean names(String sql, String name) {
    return sql != null
        && Pattern.compile(
                "(?<![\\w$])" + Pattern.quote(name) + "(?![\\w$])", Pattern.CASE_INSENSITIVE)
            .matcher(sql)
            .find();
  }

  /** A catalogued trigger's DDL; a comment when it is not a CREATE TRIGGER statement. */
  private static String createTrigger(DiffSchema.Trigger t) {
    String ddl = t.definition() == null ? "" : t.definition().trim();
    return ddl.regionMatches(true, 0, "CREATE", 0, 6)
        ? ddl
        : "-- trigger " + t.name() + " on " + t.table() + ": re-create by hand: " + oneLine(ddl);
  }

  private void add(
      String object,
      String change,
      Impact impact,
      String severity,
      String why,
      String note,
      Step... steps) {
    changes.add(
        new Change(object, change, impact, severity, why, List.of(steps), note, pendingNote));
    pendingNote = null;
  }

  private String columnDef(DiffSchema.Col c) {
    return columnDef(c, false);
  }

  /** A column's definition; {@code readded}: NOT NULL only with a default (the table has rows). */
  private String columnDef(DiffSchema.Col c, boolean readded) {
    StringBuilder sb = new StringBuilder(pg.quote(c.name())).append(' ').append(c.type());
    // MariaDB's catalogue spells the collation and the generation in the type already
    boolean spelled = syntax == Syntax.MYSQL && !baseType(c).equals(norm(c.type()));
    if (c.collation() != null && !spelled) {
      sb.append(" COLLATE ").append(c.collation());
    }
    if (c.generated() != null && !(spelled && GENERATED_IN_TYPE.matcher(c.type()).find())) {
      sb.append(" GENERATED ALWAYS AS (").append(c.generated()).append(')');
      if (c.generatedKind() != null || syntax == Syntax.POSTGRESQL) {
        sb.append(' ').append(orElse(c.generatedKind(), "STORED"));
      }
    } else if (c.identity()) {
      sb.append(
          switch (syntax) {
            case MYSQL -> " AUTO_INCREMENT";
            case SQLITE -> ""; // an INTEGER PRIMARY KEY is SQLite's rowid: it numbers itself
            case POSTGRESQL -> " GENERATED BY DEFAULT AS IDENTITY";
          });
    } else if (c.defaultValue() != null) {
      sb.append(" DEFAULT ").append(c.defaultValue());
    }
    if (!c.nullable() && (!readded || c.defaultValue() != null || c.identity())) {
      sb.append(" NOT NULL");
    }
    return sb.toString();
  }

  private static final Pattern GENERATED_IN_TYPE =
      Pattern.compile(
          "\\s+GENERATED\\s+ALWAYS\\s+AS\\s*\\(.*$", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern CHARSET_IN_TYPE =
      Pattern.compile(
          "\\s+CHARACTER\\s+SET\\s+\\S+(\\s+COLLATE\\s+\\S+)?", Pattern.CASE_INSENSITIVE);

  /**
   * The type without what MariaDB's catalogue appends to it ({@code CHARACTER SET cs COLLATE c},
   * {@code GENERATED ALWAYS AS (...) VIRTUAL|STORED}): those are changes of their own (collation,
   * generation), not of the type.
   */
  private String baseType(DiffSchema.Col c) {
    if (syntax != Syntax.MYSQL) {
      return norm(c.type());
    }
    String t = GENERATED_IN_TYPE.matcher(c.type()).replaceFirst("");
    return norm(CHARSET_IN_TYPE.matcher(t).replaceFirst(""));
  }

  /** The column's type changed to {@code c}'s: MySQL restates the whole column. */
  private String alterType(String alter, String col, DiffSchema.Col c) {
    return switch (syntax) {
      case MYSQL -> alter + "MODIFY COLUMN " + columnDef(c);
      case SQLITE -> sqliteCannot(alter, col, "change a column's type to " + c.type());
      case POSTGRESQL -> alter + "ALTER COLUMN " + col + " TYPE " + c.type();
    };
  }

  /** The column's nullability changed to {@code c}'s: MySQL restates the whole column. */
  private String alterNullable(String alter, String col, DiffSchema.Col c) {
    return switch (syntax) {
      case MYSQL -> alter + "MODIFY COLUMN " + columnDef(c);
      case SQLITE ->
          sqliteCannot(alter, col, c.nullable() ? "drop NOT NULL" : "make a column NOT NULL");
      case POSTGRESQL ->
          alter + "ALTER COLUMN " + col + (c.nullable() ? " DROP" : " SET") + " NOT NULL";
    };
  }

  /**
   * SQLite's {@code ALTER TABLE} adds, drops and renames columns only: the step is a comment saying
   * what to do by hand (the documented table rebuild).
   */
  private static String sqliteCannot(String alter, String col, String what) {
    return "-- SQLite cannot "
        + what
        + " ("
        + alter.trim()
        + " "
        + col
        + "): rebuild the table (CREATE TABLE new, INSERT INTO new SELECT ..., DROP TABLE old,"
        + " ALTER TABLE new RENAME TO old; https://www.sqlite.org/lang_altertable.html)";
  }

  private String setDefault(String alter, String col, DiffSchema.Col c) {
    if (syntax == Syntax.SQLITE) {
      return sqliteCannot(alter, col, "change a column's default");
    }
    return c.defaultValue() == null
        ? alter + "ALTER COLUMN " + col + " DROP DEFAULT"
        : alter + "ALTER COLUMN " + col + " SET DEFAULT " + c.defaultValue();
  }

  private String addFk(DiffSchema.Table t, DiffSchema.Fk fk) {
    if (syntax == Syntax.SQLITE) {
      return sqliteCannot(
          "ALTER TABLE " + pg.quote(t.name()), cols(fk.columns()), "add a foreign key");
    }
    return "ALTER TABLE "
        + pg.quote(t.name())
        + " ADD CONSTRAINT "
        + pg.quote(fkName(t, fk))
        + " "
        + fkClause(fk);
  }

  private String fkClause(DiffSchema.Fk fk) {
    return "FOREIGN KEY ("
        + cols(fk.columns())
        + ") REFERENCES "
        + pg.quote(fk.refTable())
        + " ("
        + cols(fk.refColumns())
        + ") ON DELETE "
        + fk.onDelete()
        + (fk.onUpdate().equals("NO ACTION") ? "" : " ON UPDATE " + fk.onUpdate())
        + (fk.deferred() ? " DEFERRABLE INITIALLY DEFERRED" : "");
  }

  /** A unique key on {@code columns}; SQLite has no ADD CONSTRAINT but a unique index does it. */
  private String addUnique(DiffSchema.Table t, List<String> columns) {
    String name = pg.quote(uniqueName(t, columns));
    String table = pg.quote(t.name());
    return syntax == Syntax.SQLITE
        ? "CREATE UNIQUE INDEX " + name + " ON " + table + " (" + cols(columns) + ")"
        : "ALTER TABLE " + table + " ADD CONSTRAINT " + name + " UNIQUE (" + cols(columns) + ")";
  }

  private String addCheck(DiffSchema.Table t, String check) {
    String alter = "ALTER TABLE " + pg.quote(t.name());
    String clause = checkClause(check);
    return syntax == Syntax.SQLITE
        ? sqliteCannot(alter, clause, "add a CHECK constraint")
        : alter + " ADD CONSTRAINT " + pg.quote(checkName(t, check)) + " " + clause;
  }

  /**
   * {@code CHECK (e)} of an expression, or the clause as it is when the input gives one
   * (PostgreSQL's catalog: {@code pg_get_constraintdef}).
   */
  private static String checkClause(String check) {
    return CHECK_CLAUSE.matcher(check).matches() ? check.trim() : "CHECK (" + check + ")";
  }

  private static final Pattern CHECK_CLAUSE =
      Pattern.compile("\\s*CHECK\\s*\\(.*\\)\\s*", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

  private String dropConstraint(DiffSchema.Table t, String name, Kind kind) {
    String alter = "ALTER TABLE " + pg.quote(t.name());
    return switch (syntax) {
      case MYSQL ->
          alter
              + switch (kind) {
                case UNIQUE -> " DROP INDEX ";
                case FOREIGN_KEY -> " DROP FOREIGN KEY ";
                case CHECK -> " DROP CONSTRAINT ";
              }
              + pg.quote(name);
      case SQLITE ->
          kind == Kind.UNIQUE
              ? "DROP INDEX " + pg.quote(name)
              : sqliteCannot(alter, pg.quote(name), "drop a constraint");
      case POSTGRESQL -> alter + " DROP CONSTRAINT " + pg.quote(name);
    };
  }

  private String createIndex(DiffSchema.Table t, DiffSchema.Index ix) {
    if (syntax == Syntax.SQLITE && ix.definition() != null) {
      return ix.definition();
    }
    if (ix.columns().isEmpty()
        && syntax == Syntax.POSTGRESQL
        && ix.definition() != null
        && ix.definition().regionMatches(true, 0, "CREATE", 0, 6)) {
      // PostgreSQL's catalog gives the index's own DDL (pg_get_indexdef), its table qualified with
      // the schema it was read from: named here as every other statement names it
      return IndexDdl.onTable(ix.definition(), pg.quote(t.name()));
    }
    if (ix.columns().isEmpty()) {
      return "-- index " + ix.name() + " on " + t.name() + " is on expressions: create it by hand";
    }
    return "CREATE "
        + (ix.unique() ? "UNIQUE " : "")
        + "INDEX "
        + pg.quote(ix.name())
        + " ON "
        + pg.quote(t.name())
        + " ("
        + cols(ix.columns())
        + ")"
        + (ix.predicate() == null || syntax == Syntax.MYSQL ? "" : " WHERE " + ix.predicate());
  }

  private String dropIndex(DiffSchema.Table t, DiffSchema.Index ix) {
    return "DROP INDEX "
        + pg.quote(ix.name())
        + (syntax == Syntax.MYSQL ? " ON " + pg.quote(t.name()) : "");
  }

  /** {@code CREATE VIEW v [(a, b)] AS ...}: the column list when the view's DDL declares one. */
  private String createView(DiffSchema.View v) {
    String list = v.columnList().isEmpty() ? "" : " (" + cols(v.columnList()) + ")";
    return "CREATE VIEW " + pg.quote(v.name()) + list + " AS " + v.definition();
  }

  private String dropView(String name) {
    return "DROP VIEW " + pg.quote(name);
  }

  private String cols(List<String> columns) {
    return String.join(", ", columns.stream().map(pg::quote).toList());
  }

  /**
   * A DROP of {@code t}'s constraint by the name the diff derives, {@code catalogued} being null:
   * when the input catalogues names (an inventory), it is one written before they were read, and
   * the change's note says so.
   */
  private void noteDerived(DiffSchema.Table t, String name, String catalogued) {
    if (catalogued != null || !t.names().catalogued() || syntax == Syntax.SQLITE) {
      return;
    }
    String n =
        "the inventory does not name this constraint of "
            + t.name()
            + " (an inventory.json written before constraint names were catalogued): the DDL"
            + " drops it as "
            + name
            + ", the name the diff derives; if the database names it otherwise, use that name"
            + " (or read the schema again)";
    pendingNote = pendingNote == null ? n : pendingNote + "; " + n;
  }

  /** The primary key's catalogued name, or {@code t_pkey}. */
  static String pkName(DiffSchema.Table t) {
    return t.names().primaryKey() != null ? t.names().primaryKey() : t.name() + "_pkey";
  }

  /** The unique key's catalogued name, or {@code t_a_b_key}. */
  static String uniqueName(DiffSchema.Table t, List<String> columns) {
    String named = t.names().uniques().get(columns);
    return named != null ? named : t.name() + "_" + String.join("_", columns) + "_key";
  }

  /** The foreign key's catalogued name, or {@code t_a_fkey}. */
  static String fkName(DiffSchema.Table t, DiffSchema.Fk fk) {
    String named = t.names().foreignKeys().get(fk.columns());
    return named != null ? named : t.name() + "_" + String.join("_", fk.columns()) + "_fkey";
  }

  /** The CHECK's catalogued name, or {@code t_check_} and the CRC-32 of its expression. */
  static String checkName(DiffSchema.Table t, String expression) {
    String named = t.names().checks().get(norm(expression));
    if (named != null) {
      return named;
    }
    CRC32 crc = new CRC32();
    crc.update(norm(expression).getBytes(StandardCharsets.UTF_8));
    return t.name() + "_check_" + String.format("%08x", crc.getValue());
  }

  private static final Pattern SPACE = Pattern.compile("\\s+");

  static String norm(String s) {
    return s == null ? null : SPACE.matcher(s.trim()).replaceAll(" ");
  }

  private static String oneLine(String s) {
    return norm(s).replace("\n", " ");
  }

  /**
   * Type widening between PostgreSQL spellings: longer varchar, varchar to text, wider integers.
   */
  static final class TypeWidth {
    /** A sized type, and what follows the size (MariaDB: {@code CHARACTER SET ... COLLATE ...}). */
    private static final Pattern SIZED = Pattern.compile("(.*?)\\s*\\((\\d+)\\)(.*)");

    /** Integer types by width, PostgreSQL and MySQL spellings (display widths ignored). */
    private static final Map<String, Integer> INTEGERS =
        Map.of("tinyint", 1, "smallint", 2, "mediumint", 3, "int", 4, "integer", 4, "bigint", 8);

    static boolean same(String a, String b) {
      return norm(a).equalsIgnoreCase(norm(b));
    }

    static boolean widens(String from, String to) {
      String f = norm(from).toLowerCase(java.util.Locale.ROOT);
      String t = norm(to).toLowerCase(java.util.Locale.ROOT);
      Matcher mf = SIZED.matcher(f);
      Matcher mt = SIZED.matcher(t);
      boolean textual =
          f.startsWith("character varying") || f.startsWith("varchar") || f.startsWith("character");
      if (textual && (t.equals("text") || t.startsWith("text ") || t.startsWith("longtext"))) {
        return true;
      }
      if (mf.matches()
          && mt.matches()
          && mf.group(1).equals(mt.group(1))
          && mf.group(3).equals(mt.group(3))) {
        return Integer.parseInt(mt.group(2)) >= Integer.parseInt(mf.group(2));
      }
      Integer i = INTEGERS.get(mf.matches() ? mf.group(1) : f);
      Integer j = INTEGERS.get(mt.matches() ? mt.group(1) : t);
      return i != null && j != null && j >= i;
    }
  }
}
