package io.migrationstudio.core.copy;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.activity.ChunkRange;
import io.migrationstudio.contracts.activity.TablePlan;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The first step of Migrate: creates the studio ledger and the target tables (phase 1 of {@link
 * TargetSchema}, with the source's types, routines, partitions, CHECK constraints and views on a
 * same-engine migration: {@link CarriedSchema}; objects the target refuses are recorded), then
 * plans every table's chunks and records the plan in the ledger. A table the ledger already planned
 * keeps that plan, so a resumed migration redoes exactly the chunks that are not committed, over
 * the same ranges, even if the source changed meanwhile.
 */
public final class TargetPreparer {
  private final Dialect source;
  private final Dialect target;
  private final String studioSchema;

  public TargetPreparer(Dialect source, Dialect target) {
    this(source, target, TargetSchema.DEFAULT_STUDIO_SCHEMA);
  }

  public TargetPreparer(Dialect source, Dialect target, String studioSchema) {
    this.source = Objects.requireNonNull(source);
    this.target = Objects.requireNonNull(target);
    this.studioSchema = Objects.requireNonNull(studioSchema);
  }

  /**
   * What was prepared: the target-schema.sql text, the tables in mapping (load) order with their
   * chunks, and the tables copied as one chunk for want of a usable key (a risk to report).
   */
  public record Prepared(String targetSchemaSql, List<TablePlan> tables, List<String> keyless) {
    public Prepared {
      tables = List.copyOf(tables);
      keyless = List.copyOf(keyless);
    }
  }

  public Prepared prepare(
      Connection src, Connection tgt, MappingDocument mapping, String migrationId, int chunkRows) {
    return prepare(src, tgt, mapping, migrationId, chunkRows, null);
  }

  /**
   * {@link #prepare} with chunks of at most {@code chunkBytes} bytes as well ({@link ChunkSize};
   * null: rows alone). Writes into target tables that already hold rows (tests and tools that
   * manage the target themselves); Migrate passes the spec's decision to the overload below.
   */
  public Prepared prepare(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String migrationId,
      int chunkRows,
      Long chunkBytes) {
    return prepare(src, tgt, mapping, migrationId, chunkRows, chunkBytes, true);
  }

  /**
   * As above; with {@code replaceNonEmpty} false ({@code migrate.target_not_empty: fail}, the
   * default), refuses with {@link ErrorCode#TARGET_NOT_EMPTY}, before any plan is recorded, when a
   * target table this migration has not planned yet already holds rows. Tables the ledger planned
   * for this migration are its own (a resumed run) and are not checked again.
   */
  public Prepared prepare(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String migrationId,
      int chunkRows,
      Long chunkBytes,
      boolean replaceNonEmpty) {
    return prepare(src, tgt, mapping, migrationId, chunkRows, chunkBytes, replaceNonEmpty, null);
  }

  /**
   * As above; {@code whole} (null: never) keeps a table that {@code chunkBytes} would cut into a
   * few chunks in one ({@link ChunkSize.WholeTable}: Migrate passes it when the spec leaves the
   * chunk size at its default).
   */
  public Prepared prepare(
      Connection src,
      Connection tgt,
      MappingDocument mapping,
      String migrationId,
      int chunkRows,
      Long chunkBytes,
      boolean replaceNonEmpty,
      ChunkSize.WholeTable whole) {
    TargetSchema schema =
        new TargetSchema(
            target, mapping, studioSchema, CarriedSchema.read(source, target, src, mapping));
    Ledger ledger = new Ledger(target, studioSchema);
    try {
      List<io.migrationstudio.core.schema.SchemaScript.NotCarried> refused =
          schema.applyPreLoad(tgt);
      CarriedSchema.record(tgt, studioSchema, target, migrationId, "pre-data", refused);
      if (!replaceNonEmpty) {
        refuseNonEmpty(tgt, mapping, ledger, migrationId);
      }
      Map<String, Ledger.TableRow> known = new java.util.HashMap<>();
      ledger.tables(tgt, migrationId).forEach(t -> known.put(t.table(), t));
      List<TablePlan> plans = new ArrayList<>();
      List<String> keyless = new ArrayList<>();
      for (TableMapping t : mapping.tables()) {
        Optional<List<ChunkRange>> existing = ledger.plannedRanges(tgt, migrationId, t.source());
        Ledger.TableRow row = known.get(t.source());
        if (existing.isPresent() && row != null) {
          plans.add(new TablePlan(t.source(), t.target(), row.plannedRows(), existing.get()));
          if (row.keyless()) {
            keyless.add(t.source());
          }
          continue;
        }
        TableSql sql = new TableSql(source, target, mapping, t);
        ChunkPlanner.ChunkPlan plan;
        try {
          plan =
              ChunkPlanner.plan(
                  src, source, sql, ChunkSize.rows(src, source, sql, chunkRows, chunkBytes, whole));
        } catch (SQLException e) {
          throw source.classify(e, "planning chunks of source table " + t.source());
        }
        boolean auto = tgt.getAutoCommit();
        tgt.setAutoCommit(false);
        try {
          ledger.recordPlan(tgt, migrationId, t.target(), plan);
          if (TargetSchema.isEmpty(tgt, new TableSql(source, target, mapping, t).targetFrom())) {
            ledger.markTargetEmpty(tgt, migrationId, t.source());
          }
          tgt.commit();
        } catch (SQLException | RuntimeException e) {
          tgt.rollback();
          throw e;
        } finally {
          tgt.setAutoCommit(auto);
        }
        List<ChunkRange> ranges =
            ledger.plannedRanges(tgt, migrationId, t.source()).orElse(plan.chunks());
        plans.add(new TablePlan(t.source(), t.target(), plan.rows(), ranges));
        if (plan.keyless()) {
          keyless.add(t.source());
        }
      }
      return new Prepared(schema.render(), plans, keyless);
    } catch (SQLException e) {
      throw target.classify(e, "preparing the target of migration " + migrationId);
    }
  }

  private void refuseNonEmpty(
      Connection tgt, MappingDocument mapping, Ledger ledger, String migrationId)
      throws SQLException {
    List<String> nonEmpty = new ArrayList<>();
    for (TableMapping t : mapping.tables()) {
      if (ledger.plannedRanges(tgt, migrationId, t.source()).isPresent()) {
        continue;
      }
      String table = new TableSql(source, target, mapping, t).targetTable();
      if (!TargetSchema.isEmpty(tgt, table)) {
        nonEmpty.add(table);
      }
    }
    if (!nonEmpty.isEmpty()) {
      throw new MigrationException(
          ErrorCode.TARGET_NOT_EMPTY,
          "migration "
              + migrationId
              + ": target tables "
              + nonEmpty
              + " already hold rows, and migrate.target_not_empty is fail (the default; approving"
              + " the review does not change it). Nothing was written. Migrate into an empty"
              + " schema, empty these tables after checking nobody needs their rows, or set"
              + " migrate.target_not_empty: replace to let each chunk replace its key range");
    }
  }
}
