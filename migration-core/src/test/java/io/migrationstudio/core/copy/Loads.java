package io.migrationstudio.core.copy;

import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.ChunkResult;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

/** Test helper: prepares a target and copies every planned chunk, as the workflow would. */
public final class Loads {
  public static final PostgresDialect PG = new PostgresDialect();

  private Loads() {}

  public static TargetPreparer.Prepared prepare(
      Connection src, Connection tgt, MappingDocument mapping, String migration, int chunkRows) {
    return new TargetPreparer(PG, PG).prepare(src, tgt, mapping, migration, chunkRows);
  }

  public static List<ChunkResult> copyAll(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      TargetPreparer.Prepared prepared,
      String migration) {
    ChunkCopier copier = new ChunkCopier(PG, PG);
    List<ChunkResult> results = new ArrayList<>();
    for (TablePlan plan : prepared.tables()) {
      TableMapping table = mapping.bySource(plan.sourceTable()).orElseThrow();
      for (ChunkRange r : plan.chunks()) {
        results.add(copier.copy(src, tgt, mapping, table, r, migration, ChunkProgress.NONE));
      }
    }
    return results;
  }

  /** Prepare, copy every chunk, finish the load. */
  public static void migrate(
      Connection src, Connection tgt, MappingDocument mapping, String migration, int chunkRows) {
    TargetPreparer.Prepared p = prepare(src, tgt, mapping, migration, chunkRows);
    copyAll(src, tgt, mapping, p, migration);
    new LoadFinisher(PG).finish(tgt, mapping, migration, 0L);
  }
}
