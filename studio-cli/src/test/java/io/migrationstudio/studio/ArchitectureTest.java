package io.migrationstudio.studio;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dependency rules of DESIGN §3, as tests whose messages say how to fix a violation. */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void load() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.migrationstudio");
    // rules over an empty import pass vacuously: make sure every layer was found
    for (String pkg :
        java.util.List.of(
            "io.migrationstudio.contracts",
            "io.migrationstudio.core",
            "io.migrationstudio.workflow",
            DETERMINISTIC,
            "io.migrationstudio.worker.migrate")) {
      org.junit.jupiter.api.Assertions.assertTrue(
          classes.stream().anyMatch(c -> c.getPackageName().startsWith(pkg)),
          "no classes imported from " + pkg);
    }
  }

  /** Workflow code: deterministic, replayed from history; nothing else lives in this package. */
  static final String DETERMINISTIC = "io.migrationstudio.workflow.deterministic";

  @Test
  void workflowCodeDoesNoIo() {
    noClasses()
        .that()
        .resideInAPackage(DETERMINISTIC + "..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "java.sql..",
            "org.eclipse.jgit..",
            "java.net..",
            "java.nio.file..",
            "java.io..",
            "java.util.concurrent..",
            "io.grpc..",
            "io.micronaut..",
            "io.temporal.client..",
            "io.temporal.serviceclient..",
            "io.migrationstudio.core..",
            "io.migrationstudio.workflow",
            "io.migrationstudio.workflow.service..")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethod(java.util.UUID.class, "randomUUID")
        .orShould()
        .callMethod(Thread.class, "sleep", long.class)
        .because(
            "workflow code in "
                + DETERMINISTIC
                + " must be deterministic: move I/O into an activity (or, for clients and servers,"
                + " into io.migrationstudio.workflow) and use Workflow.currentTimeMillis(),"
                + " Workflow.randomUUID() and Workflow.sleep()")
        .check(classes);
  }

  @Test
  void workflowImplementationsLiveInTheDeterministicPackage() {
    com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes()
        .that()
        .haveSimpleNameEndingWith("WorkflowImpl")
        .should()
        .resideInAPackage(DETERMINISTIC)
        .because(
            "the workflow rules above guard that package: put a new workflow implementation in "
                + DETERMINISTIC)
        .check(classes);
  }

  @Test
  void contractsStayFreeOfImplementations() {
    noClasses()
        .that()
        .resideInAPackage("io.migrationstudio.contracts..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.migrationstudio.core..",
            "io.migrationstudio.worker..",
            "io.migrationstudio.workflow..",
            "io.migrationstudio.studio..",
            "java.sql..",
            "org.eclipse.jgit..")
        .because("contracts are records and interfaces only; put logic in migration-core")
        .check(classes);
  }

  @Test
  void coreKnowsNoTemporalAndNoServices() {
    noClasses()
        .that()
        .resideInAPackage("io.migrationstudio.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.temporal..",
            "io.micronaut..",
            "io.migrationstudio.worker..",
            "io.migrationstudio.workflow..",
            "io.migrationstudio.studio..")
        .because("migration-core is plain Java: adapt it to Temporal in a worker, not inside it")
        .check(classes);
  }

  @Test
  void workersDependOnNeitherEachOtherNorTheWorkflowService() {
    String[] workers = {"assessment", "migrate", "validation", "cutover"};
    for (String w : workers) {
      for (String other : workers) {
        if (other.equals(w)) {
          continue;
        }
        noClasses()
            .that()
            .resideInAPackage("io.migrationstudio.worker." + w + "..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "io.migrationstudio.worker." + other + "..", "io.migrationstudio.workflow..")
            .because("workers share code only through migration-core and contracts")
            .allowEmptyShould(true)
            .check(classes);
      }
    }
  }

  @Test
  void driverPackagesStayInsideTheDialectsAndThePostgresWriters() {
    java.util.Set<String> writers =
        java.util.Set.of(
            "io.migrationstudio.core.copy.ChunkCopier",
            "io.migrationstudio.core.copy.BinaryRows",
            "io.migrationstudio.core.copy.BinaryCopyPipe",
            "io.migrationstudio.core.copy.RowIsolatingCopy");
    DescribedPredicate<JavaClass> postgresWriter =
        DescribedPredicate.describe(
            "a PostgreSQL COPY writer of core.copy or one of its nested classes",
            c -> writers.contains(c.getName().replaceFirst("\\$.*", "")));
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "io.migrationstudio.core.dialect..", "io.migrationstudio.testkit..")
        .and(DescribedPredicate.not(postgresWriter))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.postgresql..", "org.mariadb..", "org.sqlite..")
        .because(
            "driver classes are vendor code: put what needs them in the engine's dialect package"
                + " (core.dialect.<engine>) and offer it to business code as a capability of"
                + " Dialect (a default method returning Optional.empty() or false); only the"
                + " PostgreSQL COPY writers of core.copy (ChunkCopier, BinaryRows, BinaryCopyPipe,"
                + " RowIsolatingCopy) speak pgjdbc's CopyManager directly (testkit, the tests'"
                + " support code, loads sample dumps with it too)")
        .check(classes);
  }
}
