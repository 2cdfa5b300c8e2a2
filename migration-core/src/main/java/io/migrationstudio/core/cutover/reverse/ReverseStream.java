package io.migrationstudio.core.cutover.reverse;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.activity.CaptureStarted;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.cdc.ChangeSource;
import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.cdc.apply.ChangeApplier;
import io.migrationstudio.core.cdc.apply.StreamPositions;
import io.migrationstudio.core.cdc.apply.StreamService;
import io.migrationstudio.core.copy.TableSql;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.dialect.mariadb.MariaDbDialect;
import io.migrationstudio.core.dialect.postgres.PostgresChangeCapture;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Reverse replication: from the switch point, the target's changes flow back to the source through
 * the inverted mapping ({@link MappingInversion}), so a rollback loses no write made on the target.
 *
 * <ul>
 *   <li>{@link #prepare} at the switch point, while the target takes no application writes yet: a
 *       publication and a logical slot on the TARGET over the mapped tables (the slot's consistent
 *       point is the switch point: every later target write is in it), the replication origin on
 *       the source, and the studio's bookkeeping on the source (its {@code stream_position}). It
 *       also checks the source user may enter the applier's session ({@link ApplierSession}), so
 *       missing grants show at the switch, not at the rollback.
 *   <li>{@link #drain}: reads the slot and applies whole target transactions to the source through
 *       the source engine's {@link ReverseApplier} (PostgreSQL: {@link ChangeApplier};
 *       MariaDB/MySQL: {@link MariaDbReverseApplier}) (exactly once: the position is kept on the
 *       source in the same transaction as the rows), in a session that passes the source's write
 *       guards and tags its writes; confirms to the target slot only what the source committed.
 *       Runs to a position (the rollback's end marker) or for a slice (hypercare keeps the lag
 *       small).
 *   <li>{@link #drop}: slot and publication on the target, origin on the source.
 * </ul>
 *
 * Names: the slot and publication are {@code <forward capture>_rev} (slots are per cluster, so a
 * source and target on one server do not collide); the origin is the forward capture's name, which
 * the forward stream skips.
 */
public final class ReverseStream {
  /** Row changes per poll, as the forward stream. */
  static final int MAX_CHANGES_PER_BATCH = 5_000;

  /** The longest single wait for the target's next transaction. */
  static final Duration POLL_WAIT = Duration.ofMillis(200);

  private final Secrets secrets;

  public ReverseStream(Secrets secrets) {
    this.secrets = Objects.requireNonNull(secrets);
  }

  /**
   * Whether the reverse stream can run for {@code spec}: the source's engine has a {@link
   * ReverseApplier} (PostgreSQL: a session tagged with a replication origin, {@link
   * ApplierSession}; MariaDB: {@link MariaDbReverseApplier}, whose session marks itself with a
   * {@code server_id}); other sources (MySQL has no session {@code server_id}) have no way back
   * yet.
   */
  public static boolean supports(MigrationSpec spec) {
    Dialect source = Dialects.source(spec);
    String url = spec.source().url();
    return "postgresql".equals(source.name())
        || source instanceof MariaDbDialect && url != null && url.startsWith("jdbc:mariadb:");
  }

  /** The reverse capture's slot and publication on the target. */
  public static String captureName(String migrationId) {
    String forward = StreamService.captureName(migrationId);
    return forward.length() <= 59 ? forward + "_rev" : forward.substring(0, 59) + "_rev";
  }

  /** The replication origin that tags the reverse applier's writes on the source. */
  public static String originName(String migrationId) {
    return StreamService.captureName(migrationId);
  }

  /**
   * Where the reverse applier stands after a {@link #drain}: the position the source holds, the
   * counters since the switch, the row changes of this drain per table, whether it reached the
   * position asked for, and the lag in bytes behind the target's end of WAL when it stopped (-1:
   * not measured, the drain had nothing to read).
   */
  public record Progress(
      String capture,
      String position,
      long transactions,
      long changes,
      Map<String, Long> tableChanges,
      boolean reached,
      long lagBytes) {
    public Progress {
      tableChanges = Map.copyOf(tableChanges);
    }
  }

  /**
   * The migration name under which the reverse applier keeps its rows on a PostgreSQL source (its
   * stream position, its batches of changed rows in {@code studio.row_changes}), apart from the
   * forward stream's.
   */
  public static String recordName(String migrationId) {
    return migrationId + "#reverse";
  }

  /**
   * At the switch point: the reverse capture on the target, the origin and the bookkeeping on the
   * source. Idempotent (an existing capture keeps its position). Refuses a mapping without an
   * inverse, naming each blocking finding.
   */
  public CaptureStarted prepare(MigrationSpec spec, MappingDocument mapping, String migrationId) {
    prepareSource(spec, mapping, migrationId);
    return prepareTarget(spec, mapping, migrationId);
  }

  /**
   * The part of {@link #prepare} that holds no position, so a cutover runs it before its freeze:
   * the inverse checked (refusing a mapping without one, naming each blocking finding) and the
   * source's bookkeeping and tags, the applier's session entered once (missing grants show here).
   * Idempotent.
   */
  public void prepareSource(MigrationSpec spec, MappingDocument mapping, String migrationId) {
    MappingDocument inverse = MappingInversion.invert(mapping);
    String name = captureName(migrationId);
    Dialect sd = Dialects.source(spec);
    try (Connection src = Dialects.open(spec.source(), secrets, "source")) {
      applier(spec, inverse, migrationId).prepare(src);
    } catch (SQLException e) {
      throw sd.classify(e, "preparing the source for the reverse stream " + name);
    }
  }

  /**
   * The part of {@link #prepare} at the switch point, after {@link #prepareSource}: the reverse
   * capture (publication and slot) on the target, whose start position it returns. Idempotent.
   */
  public CaptureStarted prepareTarget(
      MigrationSpec spec, MappingDocument mapping, String migrationId) {
    MappingDocument inverse = MappingInversion.invert(mapping);
    String name = captureName(migrationId);
    Dialect td = Dialects.target(spec);
    try (Connection tgt = Dialects.open(spec.target(), secrets, "target")) {
      StreamPosition start = capture().prepare(tgt, inverse.sourceSchema(), name, tables(inverse));
      return new CaptureStarted(name, start.text());
    } catch (SQLException e) {
      throw td.classify(e, "creating the reverse capture " + name + " on the target");
    }
  }

  /** The source engine's applier ({@link ReverseApplier}). */
  static ReverseApplier applier(MigrationSpec spec, MappingDocument inverse, String migrationId) {
    return ReverseApplier.of(Dialects.source(spec), Dialects.target(spec), inverse, migrationId);
  }

  /**
   * Applies the reverse stream to the source until the source holds {@code until} (null: for about
   * {@code slice} only), at most for {@code slice}; {@link Progress#reached} says whether it got
   * there. {@code startPosition} is where {@link #prepare} started the capture (null: the slot's
   * confirmed position, the same until the first batch is confirmed).
   */
  public Progress drain(
      MigrationSpec spec,
      MappingDocument mapping,
      String migrationId,
      String startPosition,
      StreamPosition until,
      Duration slice) {
    MappingDocument inverse = MappingInversion.invert(mapping);
    String name = captureName(migrationId);
    Dialect sd = Dialects.source(spec);
    long deadline = System.nanoTime() + slice.toNanos();
    try (Connection src = Dialects.open(spec.source(), secrets, "source")) {
      ReverseApplier applier = applier(spec, inverse, migrationId);
      applier.enter(src);
      var stored = applier.stored(src);
      // nothing applied yet: from the start position, or (null) the slot's confirmed position,
      // which moves only when the source committed what it covers
      StreamPosition from =
          stored.map(StreamPositions.Stored::position).orElse(null) != null
              ? stored.get().position()
              : startPosition == null ? null : StreamPosition.parse(startPosition);
      long transactions = stored.map(StreamPositions.Stored::transactions).orElse(0L);
      long changes = stored.map(StreamPositions.Stored::changes).orElse(0L);
      Map<String, Long> perTable = new TreeMap<>();
      StreamPosition position = from;
      boolean reached = reached(position, until);
      long lag = -1;
      if (!reached) {
        try (ChangeSource log =
            capture().open(targetSpec(spec, inverse), secrets, name, tables(inverse), from)) {
          while (!reached && System.nanoTime() < deadline) {
            List<SourceTransaction> batch = log.poll(POLL_WAIT, MAX_CHANGES_PER_BATCH);
            if (batch.isEmpty()) {
              continue;
            }
            ChangeApplier.ApplyResult r = applier.apply(src, batch);
            if (r.position() != null) {
              position = r.position();
              log.confirm(position); // the source holds everything up to it
            }
            transactions += r.appliedTransactions();
            changes += r.changes();
            r.tables()
                .forEach(
                    (t, c) ->
                        perTable.merge(
                            t, c.inserts() + c.updates() + c.deletes() + c.truncates(), Long::sum));
            reached = reached(position, until);
          }
          if (log.head() instanceof StreamPosition.PgLsn head
              && position instanceof StreamPosition.PgLsn at) {
            lag = Math.max(0, head.value() - at.value());
          }
        }
      }
      return new Progress(
          name,
          position == null ? null : position.text(),
          transactions,
          changes,
          perTable,
          reached,
          lag);
    } catch (MigrationException e) {
      throw e;
    } catch (SQLException e) {
      throw sd.classify(e, "applying the reverse stream " + name + " to the source");
    } catch (Exception e) {
      throw new MigrationException(
          ErrorCode.TRANSIENT_SQL,
          "the reverse stream " + name + " was interrupted: " + e.getMessage(),
          e);
    }
  }

  private static boolean reached(StreamPosition position, StreamPosition until) {
    return until != null && position != null && position.compareTo(until) >= 0;
  }

  /**
   * Writes the end marker on the target (a logical message, which passes the target's write
   * guards): once the source holds its position, it holds every target write committed before.
   */
  public StreamPosition endMarker(Connection target, String migrationId) throws SQLException {
    return capture().emitHeartbeat(target, "rollback:" + migrationId);
  }

  /**
   * What {@link #drop} drops on the source that is still there (PostgreSQL: the replication
   * origin), also when the capture on the target is gone already (a drop that failed after it).
   */
  public List<String> tagsLeft(MigrationSpec spec, String migrationId) {
    try (Connection src = Dialects.open(spec.source(), secrets, "source")) {
      return ReverseApplier.tagsLeft(Dialects.source(spec), src, migrationId);
    } catch (SQLException e) {
      throw Dialects.source(spec).classify(e, "reading the origin " + originName(migrationId));
    }
  }

  /** Drops the reverse capture on the target and the origin on the source; nothing when gone. */
  public void drop(MigrationSpec spec, String migrationId) {
    String name = captureName(migrationId);
    try (Connection tgt = Dialects.open(spec.target(), secrets, "target")) {
      capture().drop(tgt, name);
    } catch (SQLException e) {
      throw Dialects.target(spec).classify(e, "dropping the reverse capture " + name);
    }
    try (Connection src = Dialects.open(spec.source(), secrets, "source")) {
      ReverseApplier.dropTags(Dialects.source(spec), src, migrationId);
    } catch (SQLException e) {
      throw Dialects.source(spec).classify(e, "dropping the origin " + originName(migrationId));
    }
  }

  /** The target's capture: the target is PostgreSQL. */
  private static PostgresChangeCapture capture() {
    return (PostgresChangeCapture) Dialects.forName("postgresql").changeCapture().orElseThrow();
  }

  /** The target connection, addressed at the schema the mapping writes to (the stream's names). */
  private static ConnectionSpec targetSpec(MigrationSpec spec, MappingDocument inverse) {
    ConnectionSpec t = spec.target();
    return new ConnectionSpec(t.url(), t.user(), t.password(), inverse.sourceSchema());
  }

  /** The inverse's source tables: the target's, as the stream names them. */
  static List<String> tables(MappingDocument inverse) {
    return inverse.tables().stream().map(TableMapping::source).toList();
  }

  /** The forward mapping's source tables, quoted and qualified (the freeze's names). */
  static List<String> sourceTables(Dialect source, Dialect target, MappingDocument mapping) {
    return mapping.tables().stream()
        .map(t -> new TableSql(source, target, mapping, t).sourceTable())
        .toList();
  }

  /** The forward mapping's target tables, quoted and qualified. */
  static List<String> targetTables(Dialect source, Dialect target, MappingDocument mapping) {
    return mapping.tables().stream()
        .map(t -> new TableSql(source, target, mapping, t).targetTable())
        .toList();
  }
}
