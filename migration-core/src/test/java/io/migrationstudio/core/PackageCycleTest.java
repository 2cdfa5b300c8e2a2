package io.migrationstudio.core;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The core packages that the copy path, the review and the checks are built from form layers
 * without cycles: dialect (connections, SQL of each engine) below spec; mapping (the model) above
 * canonical (value codecs); copy above mapping; assess and review on top.
 */
class PackageCycleTest {
  static final List<String> LAYERS =
      List.of(
          "mapping",
          "copy",
          "canonical",
          "spec",
          "assess",
          "dialect",
          "review",
          "validate",
          "cutover");

  @Test
  void coreLayersAreFreeOfPackageCycles() {
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(LAYERS.stream().map(p -> "io.migrationstudio.core." + p).toList());
    // a rule over an empty import passes vacuously: make sure every layer was found
    for (String layer : LAYERS) {
      String pkg = "io.migrationstudio.core." + layer;
      assertTrue(
          classes.stream().anyMatch(c -> c.getPackageName().startsWith(pkg)),
          "no classes imported from " + pkg);
    }
    slices()
        .matching("io.migrationstudio.core.(*)..")
        .should()
        .beFreeOfCycles()
        .because(
            "a package cycle means neither package can change or be tested alone: move the class"
                + " to the package it belongs to (the one whose classes use it), or let the lower"
                + " package declare a small interface the upper one implements (as"
                + " dialect.Secrets is implemented by spec.SecretResolver)")
        .check(classes);
  }
}
