package io.migrationstudio.core.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.schema.CanonicalType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ExpressionCacheTest {
  private static final Map<String, CanonicalType> TEXT_NAME = Map.of("name", CanonicalType.TEXT);

  @Test
  void theSameExpressionAndTypesArePlannedOnceAndReusedAcrossChunksAndTables() {
    ExpressionCompiler compiler = new ExpressionCompiler();
    CompiledExpression first =
        compiler.compile("a", "n", "upper(name)", TEXT_NAME, CanonicalType.TEXT);
    CompiledExpression again =
        compiler.compile("a", "n", "upper(name)", TEXT_NAME, CanonicalType.TEXT);
    CompiledExpression otherTable =
        compiler.compile("b", "m", "upper(name)", TEXT_NAME, CanonicalType.TEXT);
    assertSame(first, again, "a second chunk of the same table gets the same compiled expression");
    assertSame(first.program(), otherTable.program(), "another table reuses the planned program");
    assertEquals("b", otherTable.table(), "messages name the asking table");
    assertEquals("m", otherTable.column());
    assertEquals(1, compiler.cachedPrograms());
    assertEquals("ABC", otherTable.evaluate(Map.of("name", "abc")));
  }

  @Test
  void anotherDeclaredTypeIsTypeCheckedOnItsOwnAndFailsWhereItMust() {
    ExpressionCompiler compiler = new ExpressionCompiler();
    CompiledExpression text =
        compiler.compile("a", "n", "size(name) > 2", TEXT_NAME, CanonicalType.BOOLEAN);
    MigrationException e =
        assertThrows(
            MigrationException.class,
            () ->
                compiler.compile(
                    "b",
                    "n",
                    "upper(name)",
                    Map.of("name", CanonicalType.INTEGER),
                    CanonicalType.TEXT));
    assertEquals(ErrorCode.INVALID_ARTIFACT, e.code());
    CompiledExpression bytes =
        compiler.compile(
            "c", "n", "size(name) > 2", Map.of("name", CanonicalType.BYTES), CanonicalType.BOOLEAN);
    assertNotSame(text.program(), bytes.program(), "other column types are another program");
    assertEquals(2, compiler.cachedPrograms(), "a failed compilation is not cached");
    // the failure is not remembered as a success for the table whose types do check
    assertEquals(
        "X",
        compiler
            .compile("a", "n", "upper(name)", TEXT_NAME, CanonicalType.TEXT)
            .evaluate(Map.of("name", "x")));
    // a different result type is another key: checked again, and refused when it does not fit
    assertThrows(
        MigrationException.class,
        () -> compiler.compile("a", "n", "upper(name)", TEXT_NAME, CanonicalType.INTEGER));
  }

  @Test
  void manyThreadsCompilingTheSameExpressionGetOneWorkingProgram() throws Exception {
    ExpressionCompiler compiler = new ExpressionCompiler();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<CompiledExpression>> futures = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        futures.add(
            pool.submit(
                () -> compiler.compile("t", "c", "name + '!'", TEXT_NAME, CanonicalType.TEXT)));
      }
      for (Future<CompiledExpression> f : futures) {
        assertEquals("a!", f.get().evaluate(Map.of("name", "a")));
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, compiler.cachedPrograms());
  }

  @Test
  void theCacheIsBounded() {
    ExpressionCompiler compiler = new ExpressionCompiler();
    for (int i = 0; i <= ExpressionCompiler.CACHE_LIMIT + 5; i++) {
      compiler.compile("t", "c", "name + '" + i + "'", TEXT_NAME, CanonicalType.TEXT);
    }
    assertTrue(compiler.cachedPrograms() <= ExpressionCompiler.CACHE_LIMIT);
  }
}
