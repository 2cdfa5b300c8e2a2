package io.migrationstudio.core.expr;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelEvaluationListener;
import dev.cel.runtime.CelRuntime;
import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.schema.CanonicalType;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A type-checked, planned expression for one target column: immutable and safe to share between
 * threads, so a table compiles its expressions once and evaluates them for every row.
 *
 * <p><b>NULL.</b> Every source column may be NULL. An expression that does not mention NULL (no
 * {@code null} literal, no {@code has(...)}, no {@code coalesce(...)}) yields NULL as soon as one
 * column it reads is NULL, without being evaluated, like a SQL expression. An expression that
 * mentions NULL is null-aware: it is evaluated with CEL's {@code null} for NULL columns and decides
 * itself ({@code Name == null ? "unknown" : upper(Name)}); using a NULL value in arithmetic or a
 * function there is an evaluation error, not a silent NULL. A CEL {@code null} result is NULL.
 *
 * <p><b>Cost.</b> One evaluation may take at most {@link #costLimit()} steps, a step being one
 * evaluated sub-expression. Without comprehension macros an expression takes at most as many steps
 * as it has sub-expressions, which the compiler checks once; with them each evaluation is counted
 * (through CEL's evaluation listener) and stops at the limit, and CEL's own iteration budget stops
 * runaway comprehensions.
 *
 * <p><b>Errors.</b> A row the expression cannot evaluate (division by zero, overflow, a string that
 * is no number, a result out of the target's range, the cost limit) is a {@link MigrationException}
 * with {@link ErrorCode#PERMANENT_SQL} (a data exception: the same row fails the same way on retry)
 * naming the table, column and expression and CEL's error. Values are not quoted, so no row data
 * reaches logs.
 */
public final class CompiledExpression {
  private final String table;
  private final String column;
  private final String expression;
  private final CanonicalType resultType;
  private final CelRuntime.Program program;
  private final Map<String, CanonicalType> columnTypes;
  private final ExpressionCompiler.Analysis analysis;
  private final long costLimit;

  CompiledExpression(
      String table,
      String column,
      String expression,
      CanonicalType resultType,
      CelRuntime.Program program,
      Map<String, CanonicalType> columnTypes,
      ExpressionCompiler.Analysis analysis,
      long costLimit) {
    this.table = table;
    this.column = column;
    this.expression = expression;
    this.resultType = resultType;
    this.program = program;
    this.columnTypes = Map.copyOf(columnTypes);
    this.analysis = analysis;
    this.costLimit = costLimit;
  }

  /**
   * This planned program for another table and column with the same expression and source column
   * types (the compiler's cache): shares the program, names the new subject in messages.
   */
  CompiledExpression forColumn(String table, String column) {
    if (this.table.equals(table) && this.column.equals(column)) {
      return this;
    }
    return new CompiledExpression(
        table, column, expression, resultType, program, columnTypes, analysis, costLimit);
  }

  /** The planned CEL program (shared between equal compilations; see the compiler's cache). */
  CelRuntime.Program program() {
    return program;
  }

  public String table() {
    return table;
  }

  /** The target column this expression produces. */
  public String column() {
    return column;
  }

  public String expression() {
    return expression;
  }

  /** The canonical type of the value {@link #evaluate} returns. */
  public CanonicalType resultType() {
    return resultType;
  }

  /** The source columns the expression reads by name (sorted). */
  public Set<String> columns() {
    return analysis.columns();
  }

  /** Whether the expression handles NULL itself (see the class comment). */
  public boolean nullAware() {
    return analysis.nullAware();
  }

  /**
   * Whether the expression reads the {@code row} map: it may then read any source column (keys need
   * not be constants), so the row handed to {@link #evaluate} should hold every column.
   */
  public boolean readsRow() {
    return analysis.readsRow();
  }

  public long costLimit() {
    return costLimit;
  }

  /**
   * Evaluates the expression on one source row.
   *
   * @param row source column name → JDBC-style value (Long/Integer/Short, BigDecimal, String,
   *     Boolean, byte[], LocalDate, LocalTime, LocalDateTime, OffsetDateTime/Instant, JSON text);
   *     null for NULL. Columns the expression reads must be present; others are ignored unless the
   *     expression reads the {@code row} map.
   * @return the target column's value as a JDBC-style Java value of {@link #resultType()} (Short,
   *     Integer, Long, BigDecimal, Float, Double, String, UUID, Boolean, byte[], LocalDate,
   *     LocalTime, LocalDateTime, OffsetDateTime at UTC, JSON text), or null
   * @throws MigrationException PERMANENT_SQL when this row cannot be evaluated
   */
  public Object evaluate(Map<String, ?> row) {
    for (String name : analysis.columns()) {
      if (!row.containsKey(name)) {
        throw new MigrationException(
            ErrorCode.INTERNAL,
            describe()
                + " reads column "
                + ExpressionCompiler.q(name)
                + ", which the row handed to it lacks; pass every source column");
      }
      if (row.get(name) == null && !analysis.nullAware()) {
        return null;
      }
    }
    Map<String, Object> activation = new HashMap<>();
    try {
      for (String name : analysis.columns()) {
        if (CelValues.celType(columnTypes.get(name)).isPresent()) {
          activation.put(name, CelValues.toCel(columnTypes.get(name), row.get(name)));
        }
      }
      if (analysis.readsRow()) {
        activation.put(ExpressionCompiler.ROW, rowMap(row));
      }
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw failed("cannot read the row: " + e.getMessage(), e);
    }
    Object result;
    try {
      result =
          analysis.hasComprehension()
              ? program.trace(activation, new Budget())
              : program.eval(activation);
    } catch (CelEvaluationException e) {
      if (e.getCause() instanceof CostExceeded) {
        throw failed(
            "took more than the cost limit of "
                + costLimit
                + " evaluation steps; simplify it or raise the limit",
            e);
      }
      throw failed("failed: " + e.getMessage(), e);
    }
    try {
      return CelValues.fromCel(resultType, result);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw failed(
          "produced a value that does not fit the " + resultType + " column: " + e.getMessage(), e);
    }
  }

  private Map<String, Object> rowMap(Map<String, ?> row) {
    Map<String, Object> map = new LinkedHashMap<>();
    columnTypes.forEach(
        (name, type) -> {
          if (row.containsKey(name) && CelValues.celType(type).isPresent()) {
            map.put(name, CelValues.toCel(type, row.get(name)));
          }
        });
    return map;
  }

  private String describe() {
    return new ExpressionCompiler.Where(table, column, expression).describe();
  }

  private MigrationException failed(String problem, Exception cause) {
    return new MigrationException(ErrorCode.PERMANENT_SQL, describe() + " " + problem, cause);
  }

  @Override
  public String toString() {
    return describe();
  }

  /** Counts evaluation steps of one evaluation and stops it at the limit. */
  private final class Budget implements CelEvaluationListener {
    private long steps;

    @Override
    public void callback(dev.cel.common.ast.CelExpr expr, Object result) {
      if (++steps > costLimit) {
        throw new CostExceeded();
      }
    }
  }

  /** Thrown from the listener; CEL wraps it in its evaluation exception. */
  private static final class CostExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CostExceeded() {
      super("cost limit exceeded", null, false, false);
    }
  }
}
