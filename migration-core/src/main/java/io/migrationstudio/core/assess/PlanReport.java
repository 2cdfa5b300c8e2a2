package io.migrationstudio.core.assess;

import static io.migrationstudio.core.assess.ReportUnits.bytes;
import static io.migrationstudio.core.assess.ReportUnits.count;
import static io.migrationstudio.core.assess.ReportUnits.duration;
import static io.migrationstudio.core.report.MarkdownTable.code;

import io.migrationstudio.contracts.spec.MigrateOptions;
import io.migrationstudio.core.copy.ChunkSize;
import io.migrationstudio.core.copy.MigrateService;
import io.migrationstudio.core.report.MarkdownTable;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.LoadOrder;
import io.migrationstudio.core.schema.TableInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code plan.md}: duration estimates from the measured read throughput, not from a formula.
 *
 * <p>Per table: copy time = size / measured bytes per second, both in on-disk bytes: size is the
 * table's total relation size as the inventory records it, and the rate is the on-disk share of the
 * tables read during the measurement per second ({@link Throughput#relationBytesPerSecond}). Index
 * allowance = copy time × ({@link #INDEX_ALLOWANCE} per index or key to build + {@link
 * #FK_ALLOWANCE} per FK to validate), because Migrate builds them after the load and each such
 * build rescans the table. The parallel estimate runs the load-order waves one after another; a
 * wave takes the longer of its biggest table and its total divided by the spec's parallelism.
 *
 * <p>The spec's throttle ({@code migrate.max_rows_per_second}, a cap per worker-migrate process;
 * the estimate assumes one) bounds the copy from below: a table takes at least rows / cap, and the
 * whole copy at least all rows / cap, however many tables run in parallel.
 */
final class PlanReport {
  /** Share of a table's copy time to build one index or key (primary, unique, secondary). */
  static final double INDEX_ALLOWANCE = 0.25;

  /** Share of a table's copy time to validate one foreign key after the load. */
  static final double FK_ALLOWANCE = 0.10;

  private PlanReport() {}

  /**
   * Fixed cost of one chunk in seconds: one activity, its workflow round trips, one target
   * transaction (measured 0.1-0.3 s on a 2-core machine, see {@code MigrateOptions}).
   */
  static final double CHUNK_OVERHEAD_SECONDS = 0.2;

  /**
   * One table's estimate in seconds; {@code copy} is NaN when no rate could be measured. {@code
   * indexMeasured}: the allowance's index part comes from the measured index build rate, not from
   * {@link #INDEX_ALLOWANCE}.
   */
  record TableEstimate(
      TableInfo table,
      int wave,
      int indexes,
      double copy,
      double allowance,
      boolean throttled,
      long chunks,
      double overhead,
      boolean indexMeasured) {
    TableEstimate(TableInfo table, int wave, int indexes, double copy, double allowance) {
      this(table, wave, indexes, copy, allowance, false, 0, 0, false);
    }

    double total() {
      return copy + overhead + allowance;
    }
  }

  static List<TableEstimate> estimate(Inventory inv, LoadOrder.Plan plan, Throughput tp) {
    return estimate(inv, plan, tp, MigrateOptions.defaults());
  }

  /** As below, each copy at least rows / {@code rowsPerSecond} (null: no throttle). */
  static List<TableEstimate> estimate(
      Inventory inv, LoadOrder.Plan plan, Throughput tp, Long rowsPerSecond) {
    return estimate(inv, plan, tp, MigrateOptions.defaults().withMaxRowsPerSecond(rowsPerSecond));
  }

  /**
   * Per table in load order: copy (read + write at the measured rates, at least rows / the spec's
   * throttle), the fixed cost of its chunks (sized as the spec's {@code chunk_rows}/{@code
   * chunk_bytes} cut them) and the index and FK allowance (the measured index build rate when there
   * is one).
   */
  static List<TableEstimate> estimate(
      Inventory inv, LoadOrder.Plan plan, Throughput tp, MigrateOptions migrate) {
    Long rowsPerSecond = migrate.maxRowsPerSecond();
    List<TableEstimate> out = new ArrayList<>();
    for (String name : plan.order()) {
      TableInfo t = inv.table(name).orElseThrow();
      int indexes = (t.primaryKey() == null ? 0 : 1) + t.uniqueKeys().size() + t.indexes().size();
      double copy;
      if (t.rowCount() == 0) {
        copy = 0;
      } else if (tp.relationBytesPerSecond() > 0) {
        double read = (double) t.sizeBytes() / tp.relationBytesPerSecond();
        double write =
            tp.targetRelationBytesPerSecond() > 0
                ? (double) t.sizeBytes() / tp.targetRelationBytesPerSecond()
                : 0;
        copy = passThrough(inv) ? Math.max(read, write) : read + write;
      } else {
        copy = Double.NaN;
      }
      boolean indexMeasured = tp.indexBytesPerSecond() > 0;
      double allowance =
          indexMeasured
              ? (double) t.sizeBytes() * indexes / tp.indexBytesPerSecond()
                  + copy * FK_ALLOWANCE * t.foreignKeys().size()
              : copy * (INDEX_ALLOWANCE * indexes + FK_ALLOWANCE * t.foreignKeys().size());
      if (t.rowCount() == 0) {
        allowance = 0;
      }
      boolean throttled = false;
      if (rowsPerSecond != null && rowsPerSecond > 0 && t.rowCount() > 0) {
        double paced = (double) t.rowCount() / rowsPerSecond;
        if (Double.isNaN(copy) || paced > copy) {
          copy = paced;
          throttled = true;
        }
      }
      long chunks = chunks(t, migrate, tp);
      out.add(
          new TableEstimate(
              t,
              plan.waveOf(name),
              indexes,
              copy,
              allowance,
              throttled,
              chunks,
              chunks * CHUNK_OVERHEAD_SECONDS,
              indexMeasured));
    }
    return out;
  }

  /**
   * What {@code throughput.json}'s {@code read_method} means, as a sentence (empty: not recorded).
   */
  static String readMethod(String method) {
    if (Throughput.READ_BINARY_COPY.equals(method)) {
      return " Read the way the copy reads a PostgreSQL source: a binary `COPY (SELECT ...) TO"
          + " STDOUT` of each table's first rows, streamed and discarded without decoding a row"
          + " (value sizes from each table's first "
          + count(ThroughputProbe.VALUE_SAMPLE_ROWS)
          + " rows).";
    }
    if (Throughput.READ_ROWS.equals(method)) {
      return " Read the way the copy reads this engine: rows fetched through JDBC and decoded.";
    }
    return "";
  }

  /**
   * True when the copy streams PostgreSQL's own COPY output into the target's COPY (the binary
   * pass-through of a PostgreSQL source): the source server produces while the target server
   * consumes, so a chunk takes the longer of the read and the write. Other sources decode each row
   * in the worker between the two, and the plan adds the two times. (A PostgreSQL table the copy
   * decodes after all — a transform, a user-defined type — is estimated as piped: the plan precedes
   * the mapping.)
   */
  static boolean passThrough(Inventory inv) {
    return "postgresql".equalsIgnoreCase(inv.engine());
  }

  /** As {@link #chunks(TableInfo, MigrateOptions, Throughput)} without a measured row size. */
  static long chunks(TableInfo t, MigrateOptions migrate) {
    return chunks(t, migrate, null);
  }

  /**
   * How many chunks Migrate cuts a table into: by {@code chunk_bytes} and by {@code chunk_rows},
   * whichever gives more; none for an empty table. Migrate sizes a chunk in bytes as the copy reads
   * them ({@code ChunkSize}); the probe's copied bytes per on-disk byte ({@code sampled_bytes /
   * sampled_relation_bytes}) converts the table's on-disk size into that unit, and without a probe
   * the on-disk size stands for it. The default size keeps a table of a few chunks whole where
   * Migrate does ({@link MigrateService#wholeTables(MigrateOptions)}, this machine's cores).
   */
  static long chunks(TableInfo t, MigrateOptions migrate, Throughput tp) {
    if (t.rowCount() == 0) {
      return 0;
    }
    long byRows = ceilDiv(t.rowCount(), Math.max(1, migrate.chunkRows()));
    long byBytes = 1;
    if (migrate.chunkBytes() != null) {
      double copied =
          tp != null && tp.sampledBytes() > 0 && tp.sampledRelationBytes() > 0
              ? t.sizeBytes() * ((double) tp.sampledBytes() / tp.sampledRelationBytes())
              : t.sizeBytes();
      byBytes = (long) Math.ceil(copied / Math.max(1, migrate.chunkBytes()));
    }
    long chunks = Math.max(1, Math.max(byRows, byBytes));
    ChunkSize.WholeTable whole = MigrateService.wholeTables(migrate);
    return whole != null && whole.keepsWhole(chunks) ? 1 : chunks;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  static double sequentialSeconds(List<TableEstimate> estimates) {
    return estimates.stream().mapToDouble(TableEstimate::total).sum();
  }

  /** As below, and at least all rows / {@code rowsPerSecond} (one worker's throttle). */
  static double parallelSeconds(
      List<TableEstimate> estimates, int parallelism, Long rowsPerSecond) {
    double parallel = parallelSeconds(estimates, parallelism);
    if (rowsPerSecond == null || rowsPerSecond <= 0) {
      return parallel;
    }
    long rows = estimates.stream().mapToLong(e -> e.table().rowCount()).sum();
    return Math.max(parallel, (double) rows / rowsPerSecond);
  }

  /**
   * The load-order waves one after another; a wave takes the longer of its total / {@code
   * parallelism} and its longest table. A table's chunks count one after another: they share the
   * same servers' CPUs. On the bench database (2 cores for both servers and the worker) 4 chunks on
   * 2 workers took 137 MB/s of on-disk bytes, about what one stream's write probe measured (57-113
   * MB/s), not twice it. Where the servers have cores to spare this is an upper bound.
   */
  static double parallelSeconds(List<TableEstimate> estimates, int parallelism) {
    int workers = Math.max(1, parallelism);
    Map<Integer, List<TableEstimate>> waves = new TreeMap<>();
    estimates.forEach(e -> waves.computeIfAbsent(e.wave(), k -> new ArrayList<>()).add(e));
    double total = 0;
    for (List<TableEstimate> wave : waves.values()) {
      double sum = wave.stream().mapToDouble(TableEstimate::total).sum();
      double longest = wave.stream().mapToDouble(e -> elapsed(e, workers)).max().orElse(0);
      total += Math.max(longest, sum / workers);
    }
    return total;
  }

  /**
   * One table's wall time: its copy, chunk overhead and index builds (what {@code run.md} compares
   * with the ledger's copy and index build times); the same whatever {@code workers}, see {@link
   * #parallelSeconds(List, int)}.
   */
  static double elapsed(TableEstimate e, int workers) {
    return e.total();
  }

  static String render(Inventory inv, LoadOrder.Plan plan, Throughput tp, int parallelism) {
    return render(inv, plan, tp, parallelism, MigrateOptions.defaults());
  }

  /** {@code plan.md}, ending with what {@code migrate.strategy} demands of the source's writes. */
  static String render(
      Inventory inv, LoadOrder.Plan plan, Throughput tp, int parallelism, MigrateOptions migrate) {
    StringBuilder md = new StringBuilder();
    md.append("# Plan estimate for schema ").append(code(inv.schema())).append("\n\n");
    return md.append(body(inv, plan, tp, parallelism, migrate)).toString();
  }

  /** {@code plan.md}'s measurements, method, per-table estimates and totals, without a title. */
  static String body(
      Inventory inv, LoadOrder.Plan plan, Throughput tp, int parallelism, MigrateOptions migrate) {
    Long cap = migrate.maxRowsPerSecond();
    List<TableEstimate> estimates = estimate(inv, plan, tp, migrate);
    StringBuilder md = new StringBuilder();
    md.append("## Measured read throughput\n\n");
    if (tp.measured()) {
      md.append(
          String.format(
              Locale.ROOT,
              "%s rows/s, %s/s of values (%s/s of on-disk table size): %s rows, %s of values"
                  + " (%s on disk) read in %s ms from %s (`throughput.json`).%s%n%n",
              count(tp.rowsPerSecond()),
              bytes(tp.bytesPerSecond()),
              bytes(tp.relationBytesPerSecond()),
              count(tp.sampledRows()),
              bytes(tp.sampledBytes()),
              bytes(tp.sampledRelationBytes()),
              count(tp.sampledMillis()),
              MarkdownTable.codes(tp.sampledTables()),
              readMethod(tp.readMethod())));
    } else {
      md.append("Nothing could be measured: the tables in scope hold no rows.\n\n");
    }
    md.append("## Measured target write throughput\n\n");
    if (tp.targetRelationBytesPerSecond() > 0) {
      md.append(
          String.format(
              Locale.ROOT,
              "%s/s of on-disk source table size: %s rows of the largest table copied into a"
                  + " temporary table on the target (text columns, no index) in %s ms"
                  + " (`throughput.json`).%n%n",
              bytes(tp.targetRelationBytesPerSecond()),
              count(tp.targetSampledRows()),
              count(tp.targetSampledMillis())));
    } else {
      md.append("Not measured")
          .append(tp.targetNotMeasured() == null ? "" : ": " + tp.targetNotMeasured())
          .append(". The copy times below count the source's read only.\n\n");
    }
    md.append("## Measured index build speed\n\n");
    if (tp.indexBytesPerSecond() > 0) {
      md.append(
          String.format(
              Locale.ROOT,
              "%s/s of on-disk source table size per index: the sampled table's %d indexes and"
                  + " keys built on the target's sample copy in %s ms (B-tree, same columns;"
                  + " `throughput.json`).%n%n",
              bytes(tp.indexBytesPerSecond()),
              tp.indexSampledIndexes(),
              count(tp.indexSampledMillis())));
    } else {
      md.append(
          "Not measured (no target sample, or the sampled table has no index or key on plain"
              + " columns): each index or key is allowed a fixed share of the table's copy time"
              + " instead.\n\n");
    }
    md.append("## Measured source change rate\n\n");
    if (tp.sourceChangeBytesPerSecond() != null) {
      md.append(
          String.format(
              Locale.ROOT,
              "%s/s of change stream (WAL or binlog) written by the source's own traffic during"
                  + " the %s ms of the assessment's sampling (a quiet moment measures little:"
                  + " re-measure at peak by deleting `throughput.json`).%n%n",
              bytes(tp.sourceChangeBytesPerSecond()),
              count(tp.sourceChangeWindowMillis())));
    } else {
      md.append(
          "Not measured (the source offers no change capture, or its stream position could not"
              + " be read).\n\n");
    }
    md.append("## How the numbers are computed\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "- copy = table size / %s bytes per second (measured above): both count on-disk"
                + " bytes (total relation size, TOAST and indexes included), so the units match;"
                + " with the target's write rate measured, %s.%n"
                + "%s"
                + "- chunk overhead = chunks × %.1f s (one activity, its round trips and one"
                + " target transaction per chunk); chunks cut by `migrate.chunk_bytes` (of the"
                + " on-disk size) and `migrate.chunk_rows`, whichever gives more.%n"
                + "- sequential = sum of all tables; parallel = the load-order waves one after"
                + " another, each taking the longer of its longest table and its total / %d"
                + " (spec `migrate.parallelism`); a table's chunks count one after another (they"
                + " share the same servers: an upper bound where those have cores to spare).%n"
                + "%s"
                + "- the other phases (change-capture catch-up, validation, cutover) are estimated"
                + " in the phases above.%n%n",
            count(tp.relationBytesPerSecond()),
            passThrough(inv)
                ? "the longer of that and table size / the write rate (PostgreSQL's COPY output"
                    + " streams into the target's COPY: both servers work at once)"
                : "plus table size / the write rate (the worker decodes each row between the"
                    + " read and the write)",
            tp.indexBytesPerSecond() > 0
                ? String.format(
                    Locale.ROOT,
                    "- index build = table size × indexes and keys / %s bytes per second"
                        + " (measured above) + FK validation = copy × %.2f per foreign key:"
                        + " Migrate builds them after the load.%n",
                    count(tp.indexBytesPerSecond()),
                    FK_ALLOWANCE)
                : String.format(
                    Locale.ROOT,
                    "- index allowance = copy × (%.2f per index or key to build + %.2f per"
                        + " foreign key to validate): Migrate builds them after the load.%n",
                    INDEX_ALLOWANCE,
                    FK_ALLOWANCE),
            CHUNK_OVERHEAD_SECONDS,
            parallelism,
            cap == null
                ? "- throttle: none (spec `migrate.max_rows_per_second` unset).\n"
                : "- throttle: spec `migrate.max_rows_per_second` = "
                    + count(cap)
                    + " per worker-migrate process (one assumed): a table's copy takes at least"
                    + " rows / "
                    + count(cap)
                    + " s (marked *throttled*), the whole copy at least all rows / "
                    + count(cap)
                    + " s.\n"));
    md.append("## Per table (load order)\n\n");
    if (estimates.isEmpty()) {
      md.append("No table is in scope.\n\n");
    } else {
      md.append(
          "| wave | table | rows | size | copy | chunks | overhead | indexes+keys | FKs |"
              + " index build | total |\n"
              + "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (TableEstimate e : estimates) {
        md.append("| ")
            .append(e.wave() + 1)
            .append(" | ")
            .append(code(e.table().name()))
            .append(" | ")
            .append(count(e.table().rowCount()))
            .append(" | ")
            .append(bytes(e.table().sizeBytes()))
            .append(" | ")
            .append(seconds(e.copy()))
            .append(e.throttled() ? " *throttled*" : "")
            .append(" | ")
            .append(count(e.chunks()))
            .append(" | ")
            .append(seconds(e.overhead()))
            .append(" | ")
            .append(e.indexes())
            .append(" | ")
            .append(e.table().foreignKeys().size())
            .append(" | ")
            .append(seconds(e.allowance()))
            .append(
                e.indexMeasured() || e.indexes() + e.table().foreignKeys().size() == 0
                    ? ""
                    : " *allowance*")
            .append(" | ")
            .append(seconds(e.total()))
            .append(" |\n");
      }
      md.append('\n');
    }
    md.append("## Total\n\n");
    md.append("- sequential: ").append(seconds(sequentialSeconds(estimates))).append('\n');
    md.append("- with parallelism ")
        .append(parallelism)
        .append(": ")
        .append(seconds(parallelSeconds(estimates, parallelism, cap)))
        .append('\n');
    md.append("\n## Source writes\n\n").append(sourceWrites(migrate));
    return md.toString();
  }

  /** What the strategy demands of the source's writes, as {@code plan.md} says it. */
  static String sourceWrites(MigrateOptions migrate) {
    return migrate.online()
        ? "Strategy `online`: the source keeps taking writes for the whole migration; a change"
            + " stream (PostgreSQL logical decoding, MariaDB/MySQL binlog) keeps the target in"
            + " sync, caught up when it is less than `migrate.max_lag` ("
            + migrate.maxLag()
            + ") behind. Its prerequisites are the `online-*` checks in `risks.md`. The"
            + " estimate above is the copy alone; the stream's catch-up follows it.\n"
        : "Strategy `bulk`: **stop writes to the source before Migrate starts**, and keep them"
            + " stopped until the cutover. The copy reads every table once: a write made during"
            + " or after the copy is not carried to the target (only the cutover's final row"
            + " counts would notice it). To keep the source writable, use `migrate.strategy:"
            + " online` (PostgreSQL and MariaDB/MySQL sources).\n";
  }

  private static String seconds(double s) {
    return Double.isNaN(s) ? "unknown" : duration(s);
  }
}
