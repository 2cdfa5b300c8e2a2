package io.migrationstudio.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.OpenResult;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.IntegrationChecker;
import io.migrationstudio.core.copy.LoadFinisher;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.cutover.CutoverService;
import io.migrationstudio.core.db.SampleDatabases;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.evidence.EvidenceService;
import io.migrationstudio.core.git.ArtifactStore.CommitOutcome;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.review.CompatibilityReport;
import io.migrationstudio.core.review.CompatibilityReviewer;
import io.migrationstudio.core.review.Finding;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.core.validate.ValidationReport;
import io.migrationstudio.core.validate.Validator;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole lifecycle through the real services, in the order the workflow calls them, every
 * artifact written to and read back from a real git store: Chinook plus hostile identifiers on one
 * database, an empty database as the target, under snake_case and identity naming. Every producer
 * runs twice; the second run must produce the same bytes (no new commit).
 */
@ExtendWith(PostgresExtension.class)
class FullChainIT {
  private static final PostgresDialect PG = new PostgresDialect();
  private static final SecretResolver SECRETS = new SecretResolver(Map.of());
  private static final String NAIVE = "naïve \"quoted\"";

  /**
   * Hostile pieces beside Chinook: a mixed-case table with a serial key (a few keys deleted, so the
   * largest copied key is not the sequence's value), a table with a space in its name, an identity
   * key, a reserved word and a quoted unicode column name and foreign keys into both, and a table
   * without primary key holding duplicate rows.
   */
  private static final String[] HOSTILE = {
    "CREATE TABLE \"MixedCase\" (\"Id\" serial PRIMARY KEY, \"CamelValue\" varchar(20) NOT NULL,"
        + " \"HTTPCode\" integer)",
    "INSERT INTO \"MixedCase\" (\"CamelValue\", \"HTTPCode\")"
        + " SELECT 'v' || g, 200 + g % 5 FROM generate_series(1, 40) g",
    "DELETE FROM \"MixedCase\" WHERE \"Id\" > 37",
    "CREATE TABLE \"Order Items\" (\"Line Id\" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        + " \"select\" text, \"naïve \"\"quoted\"\"\" numeric(8,2) NOT NULL,"
        + " \"MixedId\" integer REFERENCES \"MixedCase\" (\"Id\"),"
        + " track_id integer NOT NULL REFERENCES track (track_id))",
    "INSERT INTO \"Order Items\" (\"select\", \"naïve \"\"quoted\"\"\", \"MixedId\", track_id)"
        + " SELECT CASE WHEN g % 7 = 0 THEN NULL ELSE 'row ' || g || E'\\t|\\\\' END, g / 8.0,"
        + " CASE WHEN g % 11 = 0 THEN NULL ELSE 1 + g % 37 END, 1 + g % 3503"
        + " FROM generate_series(1, 2500) g",
    "CREATE INDEX \"lower select\" ON \"Order Items\" (lower(\"select\"))",
    "CREATE INDEX \"big ones\" ON \"Order Items\" (\"naïve \"\"quoted\"\"\")"
        + " WHERE \"naïve \"\"quoted\"\"\" > 100",
    "CREATE TABLE \"audit log\" (at timestamptz NOT NULL, message text, amount numeric(12,4))",
    "INSERT INTO \"audit log\" SELECT timestamptz '2024-01-01 00:00:00+00' + g * interval '1 min',"
        + " CASE WHEN g % 3 = 0 THEN '' ELSE 'ünïcode ' || g END, g * 1.0001"
        + " FROM generate_series(1, 300) g",
    "INSERT INTO \"audit log\" SELECT * FROM \"audit log\" WHERE amount < 3"
  };

  @TempDir Path home;

  @ParameterizedTest(name = "naming {0}")
  @ValueSource(strings = {"snake_case", "identity"})
  void theLifecycleMovesEveryRowAndEveryRerunIsByteIdentical(
      String naming, TestDatabase source, TestDatabase target) throws Exception {
    try (Connection c = source.connect()) {
      SampleDatabases.loadChinookPostgres(c);
    }
    source.execute(HOSTILE);
    String id = "chain-" + naming.replace('_', '-');
    String specText =
        "id: "
            + id
            + "\nsource: { url: \""
            + source.jdbcUrl()
            + "\", user: postgres }\ntarget: { url: \""
            + target.jdbcUrl()
            + "\", user: postgres }\nmapping: { naming: "
            + naming
            + ", evidence: { plain: [\"Order Items\"] } }\nmigrate: { chunk_rows: 1000 }\nvalidation: { sample_rows: 100 }\n"
            + "cutover: { rto: PT15M, freeze: source-read-only, switch: { type: none } }\n";
    MigrationSpec spec = SpecLoader.parse(specText);

    try (GitArtifactStore store = GitArtifactStore.open(home, null)) {
      OpenResult opened = new EvidenceService(store).openMigration(id, spec, specText);
      assertEquals("migrations/" + id, opened.branch());
      assertTrue(opened.approved().isEmpty());
      Chain chain = new Chain(store, opened.branch());
      assertEquals(
          opened,
          new EvidenceService(store).openMigration(id, spec, specText),
          "re-opening changes nothing");
      try {
        run(chain, spec, source, target);
      } finally {
        // whatever freeze a failed step left: the write guards go
        source.execute(
            "DO $$ DECLARE r record; BEGIN FOR r IN SELECT tgrelid::regclass AS t FROM pg_trigger WHERE tgname = 'studio_write_guard' LOOP EXECUTE format('DROP TRIGGER studio_write_guard ON %s', r.t); END LOOP; END $$");
      }
    }
  }

  private void run(Chain chain, MigrationSpec spec, TestDatabase source, TestDatabase target)
      throws Exception {
    String id = spec.id();
    String naming = spec.mapping().naming();
    // ---- Assessment: the inventory, reusing the throughput already on the branch on a re-run
    InventoryService inventoryService = new InventoryService(SECRETS);
    chain.produce(
        "inventory",
        () ->
            inventoryService.run(
                spec, chain.store.read(chain.branch, ArtifactPaths.THROUGHPUT_JSON)));
    Inventory inventory =
        Json.read(chain.read(ArtifactPaths.INVENTORY_JSON), Inventory.class, "inventory");
    assertEquals(14, inventory.tables().size(), "11 Chinook tables and 3 hostile ones");

    // ---- Mapping: generate, round trip through git and the loader, review
    MappingGenerator generator = new MappingGenerator();
    chain.produce(
        "schema-mapper",
        () ->
            new StageOutput(
                Map.of(
                    ArtifactPaths.MAPPING_YAML,
                    MappingLoader.renderBytes(generator.generate(inventory, spec))),
                null,
                "mapping"));
    byte[] yaml = chain.read(ArtifactPaths.MAPPING_YAML);
    MappingDocument mapping = MappingLoader.load(yaml, inventory);
    assertEquals(generator.generate(inventory, spec), mapping, "the YAML round trip is lossless");
    assertArrayEquals(yaml, MappingLoader.renderBytes(mapping));
    assertEquals(
        List.of("MixedCase.Id", "Order Items.Line Id"),
        mapping.tables().stream()
            .flatMap(
                t ->
                    t.columns().stream()
                        .filter(ColumnMapping::identity)
                        .map(c -> t.source() + "." + c.source()))
            .sorted()
            .toList(),
        "the serial and the identity key, and nothing else, are identities");

    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      CompatibilityReviewer reviewer = new CompatibilityReviewer();
      StageOutput review =
          chain.produce(
              "compatibility-reviewer",
              () ->
                  reviewer.review(
                      src,
                      PG,
                      "public",
                      tgt,
                      inventory,
                      mapping,
                      EvidenceMask.plain(spec.mapping().plainEvidence())));
      assertEquals(Verdict.PASS, review.verdict(), text(review, ArtifactPaths.COMPATIBILITY_MD));
      CompatibilityReport compatibility =
          Json.read(
              review.files().get(ArtifactPaths.COMPATIBILITY_JSON),
              CompatibilityReport.class,
              "compatibility");
      // expression and partial indexes name source columns: carried under identity naming only
      List<String> expectedWarnings =
          naming.equals("identity")
              ? List.of("audit log: no_primary_key")
              : List.of(
                  "Order Items: index_not_carried",
                  "Order Items: index_not_carried",
                  "audit log: no_primary_key");
      assertEquals(
          expectedWarnings,
          compatibility.findings().stream()
              .filter(f -> f.verdict() != Finding.Level.OK)
              .map(f -> f.table() + ": " + f.check())
              .sorted()
              .toList(),
          "everything the source holds is carried; only the keyless table is worth a warning");
      assertTrue(
          text(review, ArtifactPaths.DRY_RUN_MD).contains("\\\\t\\|\\\\\\\\ |"),
          "the dry run shows the COPY text of a tab, a pipe and a backslash:\n"
              + text(review, ArtifactPaths.DRY_RUN_MD));

      // ---- Migrate: prepare, copy every chunk, finish, check
      TargetPreparer preparer = new TargetPreparer(PG, PG);
      TargetPreparer.Prepared prepared =
          preparer.prepare(src, tgt, mapping, id, spec.migrate().chunkRows());
      chain.produce(
          "migration-engineer",
          () -> {
            TargetPreparer.Prepared again =
                preparer.prepare(src, tgt, mapping, id, spec.migrate().chunkRows());
            assertEquals(prepared, again, "a re-run keeps the plan of the ledger");
            return new StageOutput(
                Map.of(ArtifactPaths.TARGET_SCHEMA_SQL, Json.bytes(again.targetSchemaSql())),
                null,
                "schema");
          });
      assertEquals(List.of("audit log"), prepared.keyless());
      TablePlan items =
          prepared.tables().stream()
              .filter(p -> p.sourceTable().equals("Order Items"))
              .findFirst()
              .orElseThrow();
      assertEquals(3, items.chunks().size(), "2500 rows in chunks of 1000");

      ChunkCopier copier = new ChunkCopier(PG, PG);
      for (TablePlan plan : prepared.tables()) {
        TableMapping table = mapping.bySource(plan.sourceTable()).orElseThrow();
        for (ChunkRange range : plan.chunks()) {
          ChunkResult r = copier.copy(src, tgt, mapping, table, range, id, rows -> {});
          assertFalse(r.alreadyCommitted(), plan.sourceTable() + " chunk " + range.index());
          assertTrue(
              copier.copy(src, tgt, mapping, table, range, id, rows -> {}).alreadyCommitted());
        }
      }
      LoadFinisher finisher = new LoadFinisher(PG);
      long stageStarted = 1_700_000_000_000L;
      chain.produce("migration-engineer", () -> finisher.finish(tgt, mapping, id, stageStarted));
      StageOutput integration =
          chain.produce(
              "integration-tester", () -> new IntegrationChecker(PG).check(tgt, mapping, id, 0));
      assertEquals(
          Verdict.PASS, integration.verdict(), text(integration, ArtifactPaths.INTEGRATION_JSON));

      for (String kind : List.of("p", "u", "f")) {
        String sql =
            "SELECT count(*) FROM pg_constraint WHERE contype = '"
                + kind
                + "' AND connamespace = 'public'::regnamespace";
        assertEquals(source.queryLong(sql), target.queryLong(sql), "constraints of type " + kind);
      }
      String indexes = "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'";
      assertEquals(
          source.queryLong(indexes) - (naming.equals("identity") ? 0 : 2),
          target.queryLong(indexes),
          "indexes, expression and partial ones too under identity naming");

      // ---- Validation
      Validator validator = new Validator(PG, PG);
      StageOutput validation =
          chain.produce(
              "validator",
              () ->
                  validator.validate(
                      src,
                      tgt,
                      mapping,
                      id,
                      spec.validation().sampleRows(),
                      spec.migrate().chunkRows()));
      ValidationReport report =
          Json.read(
              validation.files().get(ArtifactPaths.VALIDATION_JSON),
              ValidationReport.class,
              "validation");
      assertEquals(Verdict.PASS, report.status(), text(validation, ArtifactPaths.VALIDATION_MD));
      assertEquals(14, report.tables().size());
      for (ValidationReport.TableValidation t : report.tables()) {
        assertEquals(0, t.missing() + t.extra() + t.changed(), t.table());
        assertEquals(t.sourceRows(), t.targetRows(), t.table());
      }

      // ---- independent of the studio's hashing: every table equal row by row
      for (TableMapping t : mapping.tables()) {
        assertEquals(rows(src, t, true), rows(tgt, t, false), t.source() + " → " + t.target());
      }

      // ---- a new row on the target gets a key past the copied ones (then rolled back)
      assertNewKeyPastCopied(tgt, mapping, "MixedCase", List.of("CamelValue"), "'new'", 37);
      assertNewKeyPastCopied(tgt, mapping, "Order Items", List.of(NAIVE, "track_id"), "1, 1", 2500);
    }

    // ---- Cutover: runbook, drill, execution with switch none
    CutoverService cutover = new CutoverService(chain.store, SECRETS);
    String evidence = chain.store.head(chain.branch).orElseThrow();
    StageOutput runbook =
        chain.produce("cutover-coordinator", () -> cutover.planCutover(spec, evidence));
    String runbookMd = text(runbook, ArtifactPaths.RUNBOOK_MD);
    assertTrue(runbookMd.contains("row counts and checksums of 14 mapped tables"), runbookMd);
    assertFalse(
        runbookMd.contains("Copy (`" + ArtifactPaths.RUN_JSON + "`): not measured"),
        "the runbook quotes the copy time run.json measured:\n" + runbookMd);
    StageOutput drill =
        chain.produce("rollback-engineer", () -> cutover.drillRollback(spec, chain.branch));
    assertEquals(Verdict.PASS, drill.verdict(), drill.summary());
    StageOutput executed =
        chain.produce(
            "cutover-coordinator", () -> cutover.executeCutover(spec, chain.branch, evidence));
    assertEquals(Verdict.PASS, executed.verdict(), executed.summary());

    // the source is frozen: a new session cannot write; the target can
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () -> source.execute("INSERT INTO artist (artist_id, name) VALUES (100000, 'late')"));
    assertEquals("25006", ((SQLException) refused.getCause()).getSQLState());
  }

  /** Inserts a row with the table's identity left to its default, in a rolled-back transaction. */
  private static void assertNewKeyPastCopied(
      Connection tgt,
      MappingDocument mapping,
      String sourceTable,
      List<String> sourceColumns,
      String values,
      long copiedMax)
      throws SQLException {
    TableMapping t = mapping.bySource(sourceTable).orElseThrow();
    ColumnMapping identity =
        t.columns().stream().filter(ColumnMapping::identity).findFirst().orElseThrow();
    String targets =
        sourceColumns.stream()
            .map(c -> PG.quote(t.bySource(c).orElseThrow().target()))
            .collect(Collectors.joining(", "));
    tgt.setAutoCommit(false);
    try (Statement s = tgt.createStatement();
        ResultSet rs =
            s.executeQuery(
                "INSERT INTO "
                    + PG.qualify("public", t.target())
                    + " ("
                    + targets
                    + ") VALUES ("
                    + values
                    + ") RETURNING "
                    + PG.quote(identity.target()))) {
      rs.next();
      assertEquals(copiedMax + 1, rs.getLong(1), t.target() + "." + identity.target());
    } finally {
      tgt.rollback();
      tgt.setAutoCommit(true);
    }
  }

  /** A table's rows as text, ordered by every column: source names or target names. */
  private static List<List<String>> rows(Connection c, TableMapping t, boolean sourceSide)
      throws SQLException {
    List<ColumnMapping> columns = t.copiedColumns();
    String select =
        columns.stream()
            .map(col -> PG.quote(sourceSide ? col.source() : col.target()))
            .collect(Collectors.joining(", "));
    String order =
        IntStream.rangeClosed(1, columns.size())
            .mapToObj(Integer::toString)
            .collect(Collectors.joining(", "));
    String table = PG.qualify("public", sourceSide ? t.source() : t.target());
    List<List<String>> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT " + select + " FROM " + table + " ORDER BY " + order)) {
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= columns.size(); i++) {
          row.add(rs.getString(i));
        }
        out.add(row);
      }
    }
    assertFalse(out.isEmpty(), "table " + table + " holds rows");
    return out;
  }

  private static String text(StageOutput out, String path) {
    return new String(out.files().get(path), UTF_8);
  }

  /** The migration branch: commits each producer's output, and checks a re-run changes nothing. */
  private record Chain(GitArtifactStore store, String branch) {
    /** Runs a producer twice: the first output is committed, the second must change nothing. */
    StageOutput produce(String role, Supplier<StageOutput> producer) {
      StageOutput first = producer.get();
      CommitOutcome written = store.commit(branch, role, role, first.files());
      assertTrue(written.changed(), role + " wrote " + first.files().keySet());
      StageOutput second = producer.get();
      for (String path : first.files().keySet()) {
        assertEquals(text(first, path), text(second, path), role + ": a re-run rewrote " + path);
      }
      CommitOutcome rerun = store.commit(branch, role, role, second.files());
      assertFalse(rerun.changed(), role + ": a re-run committed " + rerun.paths());
      assertEquals(written.head(), rerun.head());
      return first;
    }

    byte[] read(String path) {
      return store.read(branch, path).orElseThrow();
    }
  }
}
