package io.migrationstudio.core.expr;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelBuilder;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.NullableType;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.schema.CanonicalType;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Compiles mapping expressions (TRANSFORM and DERIVE columns of {@code mapping.yaml}) in Google's
 * Common Expression Language: parsed, type-checked against the source table's columns and the
 * target column's type, and planned once; then {@link CompiledExpression#evaluate evaluated} per
 * row. CEL has no loops or recursion: an expression's work is bounded by its size, except for the
 * comprehension macros ({@code all}, {@code exists}, {@code exists_one}, {@code map}, {@code
 * filter}) over lists, which a per-evaluation cost limit bounds (see {@link CompiledExpression}).
 *
 * <p>Each source column is a variable named as the column when its name is a CEL identifier ({@code
 * [A-Za-z_][A-Za-z0-9_]*}, not a reserved word); every column is also {@code row["Any Name"]} (type
 * {@code dyn}, checked at run time). A column named {@code row} hides the map. Types follow {@link
 * CelValues}; DECIMAL is the exact {@code decimal} of {@link MigrationFunctions}, never a double.
 * The result must have the CEL type of the target column's canonical type ({@code int} also serves
 * a DECIMAL target; {@code dyn} results are checked per row).
 *
 * <p>One instance serves any number of tables and threads. It keeps a cache of what it compiled,
 * keyed by the expression text, the declared types of the source columns and the result type: the
 * parsing, type-checking and planning of an expression happen once per distinct key, however many
 * chunks, tables or threads ask for it; a hit only attaches the asking table and column (for
 * messages) to the planned program. A table whose columns have other types is a different key and
 * is type-checked on its own. Expressions that fail are not cached (the error is rebuilt for the
 * asking table). The cache holds at most {@link #CACHE_LIMIT} programs and starts over when full.
 */
public final class ExpressionCompiler {
  /** Evaluation steps (evaluated sub-expressions) one evaluation may take by default. */
  public static final long DEFAULT_COST_LIMIT = 10_000;

  /** The longest expression accepted, in code points: expressions are one-liners, not programs. */
  public static final int MAX_EXPRESSION_LENGTH = 4_096;

  /** Planned programs one compiler keeps before it starts its cache over. */
  public static final int CACHE_LIMIT = 1_024;

  /** The name under which every column is reachable as a map. */
  public static final String ROW = "row";

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** CEL's reserved words (language spec, "Syntax"); such columns are reachable as row["…"]. */
  private static final Set<String> RESERVED =
      Set.of(
          "true",
          "false",
          "null",
          "in",
          "as",
          "break",
          "const",
          "continue",
          "else",
          "for",
          "function",
          "if",
          "import",
          "let",
          "loop",
          "package",
          "namespace",
          "return",
          "var",
          "void",
          "while");

  private final long costLimit;
  private final Map<CacheKey, CompiledExpression> cache = new ConcurrentHashMap<>();

  /** A compiler with {@link #DEFAULT_COST_LIMIT}. */
  public ExpressionCompiler() {
    this(DEFAULT_COST_LIMIT);
  }

  /**
   * @param costLimit evaluation steps one evaluation may take (at least 1); an expression that
   *     needs more on some row fails that row instead of running away
   */
  public ExpressionCompiler(long costLimit) {
    if (costLimit < 1 || costLimit > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "cost limit must be between 1 and " + Integer.MAX_VALUE + ", found " + costLimit);
    }
    this.costLimit = costLimit;
  }

  public long costLimit() {
    return costLimit;
  }

  /**
   * Compiles one expression.
   *
   * @param table the source table (for messages)
   * @param column the target column the expression produces (for messages)
   * @param expression the CEL expression
   * @param sourceColumns the source table's columns and their canonical types
   * @param resultType the target column's canonical type
   * @return the compiled expression, thread-safe, to evaluate per row
   * @throws MigrationException INVALID_ARTIFACT naming the table, column and expression, with CEL's
   *     errors and their positions, when the expression does not parse or type-check
   */
  public CompiledExpression compile(
      String table,
      String column,
      String expression,
      Map<String, CanonicalType> sourceColumns,
      CanonicalType resultType) {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(sourceColumns, "sourceColumns");
    Objects.requireNonNull(resultType, "resultType");
    if (expression != null) {
      CacheKey key = new CacheKey(expression, new TreeMap<>(sourceColumns), resultType);
      CompiledExpression hit = cache.get(key);
      if (hit != null) {
        return hit.forColumn(table, column);
      }
      CompiledExpression compiled =
          compileUncached(table, column, expression, sourceColumns, resultType);
      if (cache.size() >= CACHE_LIMIT) {
        cache.clear();
      }
      cache.putIfAbsent(key, compiled);
      return compiled;
    }
    return compileUncached(table, column, expression, sourceColumns, resultType);
  }

  /** Programs in the cache (for tests and diagnostics). */
  public int cachedPrograms() {
    return cache.size();
  }

  private CompiledExpression compileUncached(
      String table,
      String column,
      String expression,
      Map<String, CanonicalType> sourceColumns,
      CanonicalType resultType) {
    Where where = new Where(table, column, expression);
    if (expression == null || expression.isBlank()) {
      throw where.invalid("is empty; write a CEL expression such as upper(name)");
    }
    if (expression.codePointCount(0, expression.length()) > MAX_EXPRESSION_LENGTH) {
      throw where.invalid(
          "is longer than "
              + MAX_EXPRESSION_LENGTH
              + " characters; split the work over several columns");
    }
    if (CelValues.celType(resultType).isEmpty()) {
      throw where.invalid(
          "produces a " + resultType + " column, which expressions cannot produce; map it instead");
    }
    Map<String, CanonicalType> columns = new TreeMap<>(sourceColumns);
    Set<String> variables = new TreeSet<>();
    Cel cel = environment(columns, variables);

    CelAbstractSyntaxTree parsed = validated(where, cel.parse(expression));
    Analysis analysis = Analysis.of(parsed, variables, columns.keySet());
    List<String> unavailable =
        analysis.columns().stream()
            .filter(c -> CelValues.celType(columns.get(c)).isEmpty())
            .map(c -> q(c) + " (" + columns.get(c) + ")")
            .toList();
    if (!unavailable.isEmpty()) {
      throw where.invalid(
          "reads column(s) "
              + String.join(", ", unavailable)
              + " whose type expressions cannot read; map or cast those columns instead");
    }
    CelAbstractSyntaxTree checked = validated(where, cel.check(parsed));
    CelType produced = unwrap(checked.getResultType());
    if (!accepts(resultType, produced)) {
      throw where.invalid(
          "produces "
              + produced.name()
              + " but target column "
              + q(column)
              + " is "
              + resultType
              + ", which needs "
              + String.join(" or ", expected(resultType))
              + "; convert the result (e.g. string(x), int(x), decimal(x), timestamp(x))");
    }
    if (!analysis.hasComprehension() && analysis.nodes() > costLimit) {
      throw where.invalid(
          "has "
              + analysis.nodes()
              + " sub-expressions, more than the cost limit of "
              + costLimit
              + " evaluation steps; simplify it");
    }
    try {
      return new CompiledExpression(
          table,
          column,
          expression,
          resultType,
          cel.createProgram(checked),
          columns,
          analysis,
          costLimit);
    } catch (CelEvaluationException e) {
      throw where.invalid("cannot be planned: " + e.getMessage());
    }
  }

  private Cel environment(Map<String, CanonicalType> columns, Set<String> variables) {
    CelOptions options =
        CelOptions.current()
            .comprehensionMaxIterations((int) costLimit)
            .maxExpressionCodePointSize(MAX_EXPRESSION_LENGTH)
            .build();
    CelBuilder builder =
        CelFactory.standardCelBuilder()
            .setOptions(options)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addCompilerLibraries(
                CelExtensions.strings(), CelExtensions.math(options), CelExtensions.encoders())
            .addRuntimeLibraries(
                CelExtensions.strings(), CelExtensions.math(options), CelExtensions.encoders())
            .addFunctionDeclarations(MigrationFunctions.declarations())
            .addFunctionBindings(MigrationFunctions.bindings());
    columns.forEach(
        (name, type) -> {
          Optional<CelType> celType = CelValues.celType(type);
          if (celType.isPresent() && isIdentifier(name)) {
            builder.addVar(name, celType.get());
            variables.add(name);
          }
        });
    if (!variables.contains(ROW)) {
      builder.addVar(ROW, MapType.create(SimpleType.STRING, SimpleType.DYN));
    }
    return builder.build();
  }

  /** What a compiled program depends on: its text and the types it was checked against. */
  private record CacheKey(
      String expression, TreeMap<String, CanonicalType> columns, CanonicalType resultType) {}

  static boolean isIdentifier(String name) {
    return IDENTIFIER.matcher(name).matches() && !RESERVED.contains(name);
  }

  private static CelAbstractSyntaxTree validated(Where where, CelValidationResult result) {
    try {
      return result.getAst();
    } catch (CelValidationException e) {
      throw where.invalid("does not type-check against the source columns:\n" + e.getMessage());
    }
  }

  private static CelType unwrap(CelType t) {
    return t instanceof NullableType n ? n.targetType() : t;
  }

  private static boolean accepts(CanonicalType target, CelType produced) {
    if (produced.kind() == CelKind.DYN || produced.kind() == CelKind.NULL_TYPE) {
      return true;
    }
    if (target == CanonicalType.JSON) {
      return true;
    }
    if (target == CanonicalType.DECIMAL && produced.kind() == CelKind.INT) {
      return true;
    }
    CelType wanted = CelValues.celType(target).map(ExpressionCompiler::unwrap).orElseThrow();
    return wanted.kind() == produced.kind() && wanted.name().equals(produced.name());
  }

  private static List<String> expected(CanonicalType target) {
    String name = CelValues.celType(target).map(ExpressionCompiler::unwrap).orElseThrow().name();
    return target == CanonicalType.DECIMAL ? List.of(name, "int") : List.of(name);
  }

  static String q(String name) {
    return name == null ? "null" : '"' + name.replace("\"", "\"\"") + '"';
  }

  /** Table, column and expression of one compilation: the subject of every message. */
  record Where(String table, String column, String expression) {
    MigrationException invalid(String problem) {
      return new MigrationException(ErrorCode.INVALID_ARTIFACT, describe() + " " + problem);
    }

    String describe() {
      return "table "
          + q(table)
          + " column "
          + q(column)
          + ": expression '"
          + (expression == null ? "" : expression)
          + "'";
    }
  }

  /**
   * What the evaluator needs to know about a parsed expression: the source columns it reads (as
   * variables or as constant {@code row["…"]} keys), whether it is null-aware (mentions {@code
   * null}, uses {@code has()} or {@code coalesce}), whether it reads the {@code row} map, whether
   * it has a comprehension, and its size.
   */
  record Analysis(
      Set<String> columns,
      boolean nullAware,
      boolean readsRow,
      boolean hasComprehension,
      long nodes) {
    Analysis {
      columns = Set.copyOf(new TreeSet<>(columns));
    }

    static Analysis of(CelAbstractSyntaxTree ast, Set<String> variables, Set<String> allColumns) {
      Set<String> read = new TreeSet<>();
      boolean nullAware = false;
      boolean readsRow = false;
      boolean comprehension = false;
      long nodes = 0;
      for (CelNavigableExpr node :
          (Iterable<CelNavigableExpr>)
              CelNavigableAst.fromAst(ast).getRoot().allNodes()::iterator) {
        nodes++;
        CelExpr e = node.expr();
        switch (e.exprKind().getKind()) {
          case IDENT -> {
            String name = e.ident().name();
            if (variables.contains(name)) {
              read.add(name);
            } else if (name.equals(ROW)) {
              readsRow = true;
            } else if (allColumns.contains(name)) {
              read.add(name); // a column of a type expressions cannot read: refused by compile
            }
          }
          case CONSTANT -> {
            if (e.constant().getKind() == CelConstant.Kind.NULL_VALUE) {
              nullAware = true;
            }
          }
          case SELECT -> {
            if (e.select().testOnly()) {
              nullAware = true;
            }
            if (isRow(e.select().operand(), variables) && allColumns.contains(e.select().field())) {
              read.add(e.select().field());
            }
          }
          case CALL -> {
            String fn = e.call().function();
            if (fn.equals("coalesce")) {
              nullAware = true;
            }
            if (fn.equals("_[_]")
                && e.call().args().size() == 2
                && isRow(e.call().args().get(0), variables)
                && e.call().args().get(1).exprKind().getKind() == CelExpr.ExprKind.Kind.CONSTANT
                && e.call().args().get(1).constant().getKind() == CelConstant.Kind.STRING_VALUE
                && allColumns.contains(e.call().args().get(1).constant().stringValue())) {
              read.add(e.call().args().get(1).constant().stringValue());
            }
          }
          case COMPREHENSION -> comprehension = true;
          default -> {}
        }
      }
      return new Analysis(read, nullAware, readsRow, comprehension, nodes);
    }

    private static boolean isRow(CelExpr e, Set<String> variables) {
      return e.exprKind().getKind() == CelExpr.ExprKind.Kind.IDENT
          && e.ident().name().equals(ROW)
          && !variables.contains(ROW);
    }
  }
}
