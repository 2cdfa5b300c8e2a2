package io.migrationstudio.core.review;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.migrationstudio.core.review.Finding.Level;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompatibilityCheckTest {
  /** docs/ lives at the repository root; tests run in the module directory. */
  static final Path DOC = Path.of("..", "docs", "compatibility-checks.md");

  @Test
  void catalogueHasUniqueSnakeCaseKeysWithOneLineDocsAndRemedies() {
    List<String> keys = CompatibilityCheck.keys();
    assertEquals(keys.size(), new HashSet<>(keys).size(), "duplicate keys " + keys);
    for (CompatibilityCheck c : CompatibilityCheck.values()) {
      assertTrue(c.key().matches("[a-z]+(_[a-z]+)*"), c.key());
      assertEquals(c.name().toLowerCase(java.util.Locale.ROOT), c.key(), "constant named as key");
      assertTrue(!c.doc().isBlank() && !c.doc().contains("\n"), c.key());
      assertTrue(!c.remedy().isBlank() && !c.remedy().contains("\n"), c.key());
      assertEquals(c, CompatibilityCheck.byKey(c.key()).orElseThrow());
    }
    // the keys compatibility.json has always written: none may disappear or be renamed
    for (String released :
        List.of(
            "table_not_mapped",
            "no_primary_key",
            "unique_not_carried",
            "foreign_key_not_carried",
            "index_not_carried",
            "check_not_carried",
            "no_copied_column",
            "column_dropped",
            "row_probe",
            "duplicate_key",
            "query_error",
            "not_null",
            "unsupported_type",
            "values_outside_enum",
            "max_length",
            "integer_range",
            "fraction_lost",
            "numeric_range",
            "numeric_scale",
            "zero_date",
            "time_outside_day",
            "nul_character",
            "invalid_encoding",
            "boolean_range",
            "type_change",
            "cast",
            "dry_run",
            "target_type_missing",
            "target_not_empty",
            "expression_error",
            "unwritable",
            "value_map",
            "computed_values",
            "no_replica_identity",
            "not_invertible")) {
      assertTrue(CompatibilityCheck.byKey(released).isPresent(), released);
    }
    assertEquals(35, keys.size(), "a new check: add its key to the list above " + keys);
  }

  @Test
  void aFindingNamesItsCataloguedKey() {
    Finding f =
        Finding.of(Level.FAIL, "t", "c", CompatibilityCheck.MAX_LENGTH, 2L, "9", List.of("1"), "d");
    assertEquals("max_length", f.check());
  }

  /**
   * Every key the review can emit is in the catalogue: main code builds a {@link Finding} only
   * through {@link Finding#of}, which takes a {@link CompatibilityCheck}, never from a bare string.
   */
  @Test
  void findingsAreBuiltOnlyFromCatalogueEntries() {
    JavaClasses main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.migrationstudio.core");
    assertTrue(main.contain(CompatibilityReviewer.class), "the review classes were not imported");
    noClasses()
        .that()
        .doNotHaveFullyQualifiedName(Finding.class.getName())
        .should()
        .callConstructor(
            Finding.class,
            Level.class,
            String.class,
            String.class,
            String.class,
            Long.class,
            String.class,
            List.class,
            String.class)
        .because(
            "a finding's check key must come from the catalogue: build it with Finding.of and a"
                + " CompatibilityCheck (add a new check to CompatibilityCheck, which documents it"
                + " in docs/compatibility-checks.md)")
        .check(main);
  }

  @Test
  void docsPageIsGeneratedFromTheCatalogue() throws IOException {
    String expected = CompatibilityCheck.markdown();
    String actual = Files.exists(DOC) ? Files.readString(DOC, StandardCharsets.UTF_8) : "";
    if (!expected.equals(actual)) {
      System.out.println("---- expected " + DOC.normalize() + " ----\n" + expected + "----");
    }
    assertEquals(
        expected,
        actual,
        "docs/compatibility-checks.md is out of date: replace it with the content printed above");
  }
}
