package io.migrationstudio.core.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.copy.ChunkCopier;
import io.migrationstudio.core.copy.ChunkProgress;
import io.migrationstudio.core.copy.CopyOptions;
import io.migrationstudio.core.copy.LoadFinisher;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.core.validate.ValidationReport;
import io.migrationstudio.core.validate.Validator;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The chunk copy's contract (plan, copy each chunk exactly once, skip a committed one, redo a
 * forced one) from every source engine's Chinook into PostgreSQL, with snake_case names, by one
 * subclass per engine that supplies the source.
 */
public abstract class AbstractChunkCopyIT {
  private static final PostgresDialect PG = new PostgresDialect();
  private static final int CHUNK_ROWS = 500;

  /** A source database holding Chinook as the engine's sample script creates it. */
  protected abstract EngineDb chinookSource() throws Exception;

  /** Chinook's tables, the generated mapping (snake_case), and the prepared target. */
  private record Loaded(MappingDocument mapping, TargetPreparer.Prepared prepared) {
    TablePlan plan(String table) {
      return prepared.tables().stream()
          .filter(t -> t.targetTable().equals(table))
          .findFirst()
          .orElseThrow();
    }

    TableMapping table(String target) {
      return mapping.tables().stream()
          .filter(t -> t.target().equals(target))
          .findFirst()
          .orElseThrow();
    }
  }

  private static Loaded load(EngineDb source, EngineDb target, Connection src, Connection tgt)
      throws SQLException {
    MigrationSpec spec =
        SpecLoader.parse(
            "id: copy\nsource: { url: \""
                + source.url()
                + "\""
                + (source.user() == null ? "" : ", user: " + source.user())
                + " }\ntarget: { url: \""
                + target.url()
                + "\", user: postgres }\nmapping: { naming: snake_case }\n");
    Inventory inventory =
        InventoryService.introspect(src, source.dialect(), source.schema(), t -> true);
    MappingDocument mapping = new MappingGenerator().generate(inventory, spec);
    TargetPreparer.Prepared prepared =
        new TargetPreparer(source.dialect(), PG).prepare(src, tgt, mapping, "copy", CHUNK_ROWS);
    return new Loaded(mapping, prepared);
  }

  @Test
  public void chinookCopiedChunkByChunkArrivesWholeAndValidates() throws Exception {
    EngineDb source = chinookSource();
    EngineDb target = EngineDb.postgres("target");
    Dialect sd = source.dialect();
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      Loaded loaded = load(source, target, src, tgt);
      assertEquals(8, loaded.plan("track").chunks().size(), "3503 rows in chunks of 500");
      assertEquals(List.of(), loaded.prepared().keyless());

      ChunkCopier copier = new ChunkCopier(sd, PG);
      long rows = 0;
      for (TablePlan plan : loaded.prepared().tables()) {
        TableMapping table = loaded.mapping().bySource(plan.sourceTable()).orElseThrow();
        for (ChunkRange range : plan.chunks()) {
          ChunkResult r =
              copier.copy(src, tgt, loaded.mapping(), table, range, "copy", ChunkProgress.NONE);
          assertTrue(r.attempt() == 1 && !r.alreadyCommitted(), r.toString());
          rows += r.rows();
        }
      }
      assertEquals(15_607, rows);
      assertEquals(3503, target.queryLong("SELECT count(*) FROM track"));

      new LoadFinisher(PG).finish(tgt, loaded.mapping(), "copy", 1_700_000_000_000L);
      ValidationReport report =
          new Validator(sd, PG).report(src, tgt, loaded.mapping(), "copy", 100, CHUNK_ROWS);
      assertEquals(
          Verdict.PASS,
          report.status(),
          () ->
              report.tables().stream().filter(t -> t.status() != Verdict.PASS).toList().toString());
    }
  }

  @Test
  public void aCommittedChunkIsSkippedAndAForcedOneRedoneWithoutDuplicates() throws Exception {
    EngineDb source = chinookSource();
    EngineDb target = EngineDb.postgres("target");
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      Loaded loaded = load(source, target, src, tgt);
      TableMapping track = loaded.table("track");
      ChunkRange second = loaded.plan("track").chunks().get(1);
      ChunkCopier copier = new ChunkCopier(source.dialect(), PG);
      ChunkResult first =
          copier.copy(src, tgt, loaded.mapping(), track, second, "copy", ChunkProgress.NONE);
      assertEquals(500, first.rows());
      assertEquals(1, first.attempt());

      ChunkResult skipped =
          copier.copy(src, tgt, loaded.mapping(), track, second, "copy", ChunkProgress.NONE);
      assertTrue(skipped.alreadyCommitted());
      assertEquals(first.sourceHash(), skipped.sourceHash());

      ChunkCopier force =
          new ChunkCopier(
              source.dialect(),
              PG,
              "studio",
              Clock.systemUTC(),
              CopyOptions.defaults().withForce(true));
      ChunkResult redone =
          force.copy(src, tgt, loaded.mapping(), track, second, "copy", ChunkProgress.NONE);
      assertFalse(redone.alreadyCommitted());
      assertEquals(2, redone.attempt());
      assertEquals(first.sourceHash(), redone.sourceHash());
      assertEquals(500, target.queryLong("SELECT count(DISTINCT track_id) FROM track"));
      assertEquals(500, target.queryLong("SELECT count(*) FROM track"));
      assertEquals(
          2,
          target.queryLong(
              "SELECT attempt FROM studio.chunk_ledger WHERE migration = 'copy'"
                  + " AND chunk = 1 AND table_name = '"
                  + track.source()
                  + "'"));
    }
  }
}
