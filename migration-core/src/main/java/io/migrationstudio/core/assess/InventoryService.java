package io.migrationstudio.core.assess;

import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.dialect.ConnectPhase;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.mapping.ScopeFilter;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.ConsumerInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.LoadOrder;
import io.migrationstudio.core.schema.TableInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The Assessment producer: catalogues the source schema, orders its tables for loading, measures
 * the source's read throughput and writes {@code inventory.{json,md}}, {@code throughput.json} and
 * {@code plan.md}.
 *
 * <p>Byte stability: the catalogue of an unchanged source is identical run after run, but a
 * throughput measurement is not. So a throughput already on the branch is reused instead of
 * measured again, and a re-run over the same source yields identical files (hence no new commit).
 * To measure again, delete {@code throughput.json} from the branch.
 *
 * <p>Consumers (the client sessions sampled from the live source by {@link ConsumerSampler}) are a
 * measurement too and vary run to run, so they follow the same rule: they are part of {@code
 * inventory.json}, and when both the previous {@code throughput.json} and the previous {@code
 * inventory.json} are given, the previous inventory's consumers are reused instead of sampled
 * again. Deleting {@code throughput.json} re-measures both.
 */
public final class InventoryService {
  private final Secrets secrets;

  public InventoryService(Secrets secrets) {
    this.secrets = Objects.requireNonNull(secrets, "secrets");
  }

  /**
   * Runs the inventory of {@code spec.source()}. {@code previousThroughput} is the {@code
   * throughput.json} already on the branch, if any; when present it is reused, not re-measured.
   */
  public StageOutput run(MigrationSpec spec, Optional<byte[]> previousThroughput) {
    return run(spec, previousThroughput, Optional.empty());
  }

  /**
   * Runs the inventory of {@code spec.source()}. {@code previousThroughput} and {@code
   * previousInventory} are {@code throughput.json} and {@code inventory.json} already on the
   * branch, if any; when both are present the throughput and the consumers are reused, not measured
   * again (when only the throughput is, only it is reused).
   */
  public StageOutput run(
      MigrationSpec spec, Optional<byte[]> previousThroughput, Optional<byte[]> previousInventory) {
    Dialect dialect = Dialects.forUrl(spec.source().url());
    String schema = Dialects.schemaOf(spec.source());
    Optional<Throughput> previous =
        previousThroughput.map(b -> Json.read(b, Throughput.class, ArtifactPaths.THROUGHPUT_JSON));
    Optional<List<ConsumerInfo>> previousConsumers =
        previous.isPresent()
            ? previousInventory.map(
                b -> Json.read(b, Inventory.class, ArtifactPaths.INVENTORY_JSON).consumers())
            : Optional.empty();
    Inventory inventory;
    Throughput throughput;
    try (Connection c =
        Dialects.openReadOnly(spec.source(), secrets, "source", ConnectPhase.MIGRATION_START)) {
      String step = "reading the catalog of schema " + dialect.quote(schema);
      long windowStart = System.nanoTime();
      Optional<StreamPosition> headBefore =
          previous.isPresent() ? Optional.empty() : changeHead(c, dialect);
      // the consumers are sampled while the catalog is read and the probes run (ConsumerWatch)
      try (ConsumerWatch watch =
          previousConsumers.isPresent() ? null : watchConsumers(spec, dialect, schema, c)) {
        Map<String, Long> steps = new TreeMap<>();
        long at = System.nanoTime();
        inventory = introspect(c, dialect, schema, ScopeFilter.of(spec.scope()));
        at = lap(steps, "catalog", at);
        step = "measuring read throughput in schema " + dialect.quote(schema);
        if (previous.isPresent()) {
          throughput = previous.get();
        } else {
          Throughput read = ThroughputProbe.measure(c, dialect, schema, inventory.tables());
          at = lap(steps, "read_probe", at);
          throughput = targetWrite(c, dialect, schema, inventory, spec, read);
          at = lap(steps, "target_write_probe", at);
        }
        step =
            "sampling the sessions connected to the source (schema " + dialect.quote(schema) + ")";
        inventory =
            inventory.withConsumers(watch == null ? previousConsumers.get() : watch.consumers());
        // what is left of the sampling window once the catalog and the probes are done
        lap(steps, "consumers", at);
        if (previous.isEmpty()) {
          long windowMillis = (System.nanoTime() - windowStart) / 1_000_000;
          Optional<StreamPosition> headAfter = changeHead(c, dialect);
          throughput =
              throughput.withSourceChanges(
                  headBefore.isPresent() && headAfter.isPresent()
                      ? changeBytes(headBefore.get(), headAfter.get())
                      : null,
                  windowMillis);
          lap(steps, "total", windowStart);
          throughput = throughput.withAssessmentSteps(steps);
        }
      } catch (SQLException e) {
        throw dialect.classify(
            e, step + " of the source database " + MigrationException.redact(spec.source().url()));
      }
    } catch (SQLException e) {
      throw dialect.classify(
          e, "closing the source database " + MigrationException.redact(spec.source().url()));
    }
    return render(inventory, throughput, spec);
  }

  /**
   * The inventory a validation-only run ({@code studio validate}) needs: the catalogue, from which
   * its mapping is generated, and nothing measured. No session sampling window (2 s), no read probe
   * and no timed sample copy into the target (a validation leaves the target it checks alone;
   * together 5-6 s of a 1M-row run's 8 s inventory on the loaded bench machine). The throughput is
   * recorded as not measured (the plan says so), and the files are byte-stable over an unchanged
   * source.
   */
  public StageOutput catalogOnly(MigrationSpec spec) {
    Dialect dialect = Dialects.forUrl(spec.source().url());
    String schema = Dialects.schemaOf(spec.source());
    Inventory inventory;
    try (Connection c =
        Dialects.openReadOnly(spec.source(), secrets, "source", ConnectPhase.MIGRATION_START)) {
      try {
        inventory = introspect(c, dialect, schema, ScopeFilter.of(spec.scope()));
      } catch (SQLException e) {
        throw dialect.classify(
            e,
            "reading the catalog of schema "
                + dialect.quote(schema)
                + " of the source database "
                + MigrationException.redact(spec.source().url()));
      }
    } catch (SQLException e) {
      throw dialect.classify(
          e, "closing the source database " + MigrationException.redact(spec.source().url()));
    }
    Throughput none =
        new Throughput(0, 0, 0, 0, 0, 0, 0, List.of())
            .withTarget(0, 0, 0, "validation-only run: nothing is written to the target");
    return render(inventory, none, spec);
  }

  /**
   * Starts sampling the consumers on a connection of its own, leaving out {@code probes}' session
   * (the inventory's, which reads the catalog and runs the probes meanwhile).
   */
  private ConsumerWatch watchConsumers(
      MigrationSpec spec, Dialect dialect, String schema, Connection probes) throws SQLException {
    Connection looker =
        Dialects.openReadOnly(spec.source(), secrets, "source", ConnectPhase.MIGRATION_START);
    try {
      return ConsumerWatch.start(
          dialect, looker, schema, spec.assessment().consumerWindow(), probes);
    } catch (SQLException | RuntimeException e) {
      looker.close();
      throw e;
    }
  }

  /**
   * The source's change-stream head now (WAL insert position, binlog position), or empty when the
   * source offers no change capture or cannot tell (a standby, missing privileges): the plan then
   * says the change rate was not measured.
   */
  private static Optional<StreamPosition> changeHead(Connection c, Dialect dialect) {
    if (dialect.changeCapture().isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(dialect.changeCapture().get().head(c));
    } catch (SQLException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Records the milliseconds since {@code since} as {@code step}; returns the time now. */
  private static long lap(Map<String, Long> steps, String step, long since) {
    long now = System.nanoTime();
    steps.put(step, (now - since) / 1_000_000);
    return now;
  }

  /** Bytes of change stream between two heads; null when they cannot be compared in bytes. */
  static Long changeBytes(StreamPosition from, StreamPosition to) {
    if (from instanceof StreamPosition.PgLsn a && to instanceof StreamPosition.PgLsn b) {
      return Math.max(0, b.value() - a.value());
    }
    if (from instanceof StreamPosition.BinlogPosition a
        && to instanceof StreamPosition.BinlogPosition b
        && a.file().equals(b.file())) {
      return Math.max(0, b.offset() - a.offset());
    }
    return null;
  }

  /**
   * {@code tp} with the target's write rate from a timed sample copy ({@link TargetWriteProbe}); a
   * target that cannot be reached or written leaves the rate unmeasured, with the reason (the plan
   * then counts the read alone), and the inventory goes on.
   */
  private Throughput targetWrite(
      Connection source,
      Dialect dialect,
      String schema,
      Inventory inventory,
      MigrationSpec spec,
      Throughput tp) {
    try (Connection t = Dialects.open(spec.target(), secrets, "target")) {
      String version = t.getMetaData().getDatabaseProductVersion();
      return TargetWriteProbe.measure(
              source, dialect, schema, inventory.tables(), t, Dialects.target(spec))
          .map(
              m ->
                  tp.withTarget(m.relationBytesPerSecond(), m.rows(), m.millis(), null)
                      .withIndexBuild(m.relationBytes(), m.indexes(), m.indexMillis()))
          .orElseGet(
              () ->
                  tp.withTarget(
                      0, 0, 0, "no table in scope holds rows, or the target is not PostgreSQL"))
          .withTargetServerVersion(version);
    } catch (MigrationException | SQLException e) {
      return tp.withTarget(
          0,
          0,
          0,
          "the sample copy into the target failed: "
              + MigrationException.redact(String.valueOf(e.getMessage())));
    }
  }

  /** The catalogue of {@code schema} restricted to {@code tableFilter}, with its load order. */
  public static Inventory introspect(
      Connection c, Dialect dialect, String schema, Predicate<String> tableFilter)
      throws SQLException {
    return LoadOrder.fill(dialect.introspect(c, schema, tableFilter));
  }

  /** The four files of the producer from an inventory (load order filled) and a throughput. */
  public static StageOutput render(Inventory inventory, Throughput throughput, int parallelism) {
    return render(
        inventory,
        throughput,
        parallelism,
        io.migrationstudio.contracts.spec.MigrateOptions.defaults(),
        null);
  }

  /** As above at the spec's parallelism, {@code plan.md} saying what its strategy demands. */
  public static StageOutput render(
      Inventory inventory,
      Throughput throughput,
      io.migrationstudio.contracts.spec.MigrateOptions migrate) {
    return render(inventory, throughput, migrate.parallelism(), migrate, null);
  }

  /**
   * As above, {@code plan.md} and {@code plan.json} also naming the spec's reviewers (who is
   * informed when) and its source and target.
   */
  public static StageOutput render(Inventory inventory, Throughput throughput, MigrationSpec spec) {
    return render(inventory, throughput, spec.migrate().parallelism(), spec.migrate(), spec);
  }

  private static StageOutput render(
      Inventory inventory,
      Throughput throughput,
      int parallelism,
      io.migrationstudio.contracts.spec.MigrateOptions migrate,
      MigrationSpec spec) {
    LoadOrder.Plan plan = LoadOrder.of(inventory);
    Map<String, byte[]> files = new TreeMap<>();
    files.put(ArtifactPaths.INVENTORY_JSON, Json.bytes(Json.write(inventory)));
    files.put(ArtifactPaths.INVENTORY_MD, Json.bytes(InventoryReport.render(inventory, plan)));
    files.put(ArtifactPaths.THROUGHPUT_JSON, Json.bytes(Json.write(throughput)));
    MigrationPlan document =
        MigrationPlan.of(inventory, plan, throughput, parallelism, migrate, spec);
    files.put(ArtifactPaths.PLAN_MD, Json.bytes(document.markdown()));
    files.put(ArtifactPaths.PLAN_JSON, Json.bytes(Json.write(document)));
    long rows = inventory.tables().stream().mapToLong(TableInfo::rowCount).sum();
    double seconds =
        PlanReport.parallelSeconds(
            PlanReport.estimate(inventory, plan, throughput, migrate.maxRowsPerSecond()),
            parallelism,
            migrate.maxRowsPerSecond());
    String summary =
        String.format(
            Locale.ROOT,
            "schema %s: %d tables, %s rows, %d views, %d sequences, %d triggers, %d routines,"
                + " %d types, %d consumers, %d FK cycles;"
                + " estimated load %s at parallelism %d; %s",
            inventory.schema(),
            inventory.tables().size(),
            ReportUnits.count(rows),
            inventory.views().size(),
            inventory.sequences().size(),
            inventory.triggers().size(),
            inventory.routines().size(),
            inventory.types().size(),
            inventory.consumers().size(),
            plan.cycles().size(),
            Double.isNaN(seconds) ? "unknown" : ReportUnits.duration(seconds),
            parallelism,
            migrate.online()
                ? "strategy online: the source keeps taking writes"
                : "strategy bulk: stop writes to the source before Migrate starts");
    return new StageOutput(files, null, summary);
  }
}
