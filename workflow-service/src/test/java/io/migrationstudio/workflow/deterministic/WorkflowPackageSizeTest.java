package io.migrationstudio.workflow.deterministic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.LineMap;
import com.sun.source.tree.MethodTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreeScanner;
import com.sun.source.util.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Keeps the workflow package in small pieces (issue 13): the migration workflow reads as its stage
 * loop, and no method of the package grows to 80 lines. When this fails, move the new job into a
 * collaborator of its own (like {@link ReviewGate} or {@link MigrateStage}) instead of growing the
 * loop, or split the long method into steps.
 */
class WorkflowPackageSizeTest {
  private static final Path PACKAGE =
      Path.of("src/main/java/io/migrationstudio/workflow/deterministic");
  // 360: the reverse stream after the switch (ReverseReplication) needs ten lines of wiring
  private static final int MAX_WORKFLOW_LINES = 360;
  private static final int MAX_METHOD_LINES = 79;

  @Test
  void migrationWorkflowStaysTheStageLoop() throws IOException {
    long lines;
    try (Stream<String> all = Files.lines(PACKAGE.resolve("MigrationWorkflowImpl.java"))) {
      lines = all.count();
    }
    assertTrue(
        lines <= MAX_WORKFLOW_LINES,
        "MigrationWorkflowImpl has "
            + lines
            + " lines, more than "
            + MAX_WORKFLOW_LINES
            + ": move the new job into a collaborator the workflow owns");
  }

  @Test
  void noMethodOfTheWorkflowPackageReaches80Lines() throws IOException {
    List<Path> sources;
    try (Stream<Path> files = Files.list(PACKAGE)) {
      sources = files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    assertFalse(sources.isEmpty(), "no sources found under " + PACKAGE.toAbsolutePath());
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> tooLong = new ArrayList<>();
    int methods = 0;
    try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, null)) {
      Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromPaths(sources);
      JavacTask task = (JavacTask) javac.getTask(null, files, null, null, null, units);
      SourcePositions positions = Trees.instance(task).getSourcePositions();
      for (CompilationUnitTree unit : task.parse()) {
        LineMap map = unit.getLineMap();
        List<MethodTree> found = new ArrayList<>();
        new TreeScanner<Void, Void>() {
          @Override
          public Void visitMethod(MethodTree m, Void v) {
            found.add(m);
            return super.visitMethod(m, v);
          }
        }.scan(unit, null);
        for (MethodTree m : found) {
          methods++;
          long first = map.getLineNumber(positions.getStartPosition(unit, m));
          long last = map.getLineNumber(positions.getEndPosition(unit, m));
          long length = last - first + 1;
          if (length > MAX_METHOD_LINES) {
            tooLong.add(
                unit.getSourceFile().getName() + " " + m.getName() + ": " + length + " lines");
          }
        }
      }
    }
    assertTrue(methods > 50, "the scan found only " + methods + " methods");
    assertEquals(
        List.of(),
        tooLong,
        "methods of 80 lines or more in the workflow package: split them into steps");
  }
}
