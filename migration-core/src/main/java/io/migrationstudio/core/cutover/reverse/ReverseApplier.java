package io.migrationstudio.core.cutover.reverse;

import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.apply.ChangeApplier;
import io.migrationstudio.core.cdc.apply.StreamPositions;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.mariadb.MariaDbDialect;
import io.migrationstudio.core.mapping.MappingDocument;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The source side of the reverse stream: what {@link ReverseStream} needs from the engine it writes
 * back to. One implementation per source engine, chosen in {@link #of}:
 *
 * <ul>
 *   <li>PostgreSQL ({@link PgReverseApplier}): the forward stream's {@link ChangeApplier} the other
 *       way round, in replica mode with a replication origin ({@link ApplierSession});
 *   <li>MariaDB/MySQL ({@link MariaDbReverseApplier}): values converted back into the source's
 *       types and applied by key, in a session marked by its {@code server_id}.
 * </ul>
 *
 * Either way the position and the keys of the rows changed ({@link #changedRows}) are kept on the
 * source in the same transaction as the rows (exactly once), and the session passes the cutover's
 * write guards and is kept out of the forward stream.
 */
interface ReverseApplier {
  /**
   * At the switch point: the source's bookkeeping (its {@code stream_position}) and whatever tags
   * the applier's writes; enters the session once so missing grants show now, not at the rollback.
   */
  void prepare(Connection source) throws SQLException;

  /**
   * Marks {@code source}'s session as the applier's: through the guards, out of the forward log.
   */
  void enter(Connection source) throws SQLException;

  /** The position and counters the source holds (empty before the first batch). */
  Optional<StreamPositions.Stored> stored(Connection source);

  /** Applies whole target transactions in one source transaction with the position. */
  ChangeApplier.ApplyResult apply(Connection source, List<SourceTransaction> batch);

  /**
   * The record of the rows this applier changed on the source since the switch, kept with each
   * batch in the same source transaction ({@code studio.row_changes} there), which the rollback's
   * final check compares by key ({@link io.migrationstudio.core.cutover.FinalCheck#reverse}).
   */
  io.migrationstudio.core.cutover.FinalCheck.ChangedRows changedRows();

  /** At a rollback: the source's sequences / AUTO_INCREMENT past every value the target used. */
  List<SourceSequences.Set> advanceSequences(
      Connection source, Connection target, Dialect sd, Dialect td, MappingDocument mapping)
      throws SQLException;

  /**
   * Drops what {@link #prepare} made on {@code source} to tag the applier's writes of migration
   * {@code migrationId} (PostgreSQL: the replication origin; MariaDB: nothing, the session's {@code
   * server_id} is the tag); nothing when gone. The position stays as the record.
   */
  static void dropTags(Dialect source, Connection src, String migrationId) throws SQLException {
    if (!(source instanceof MariaDbDialect)) {
      ApplierSession.dropOrigin(src, ReverseStream.originName(migrationId));
    }
  }

  /**
   * What {@link #dropTags} would drop that is still on {@code src} (PostgreSQL: the replication
   * origin; other engines: nothing).
   */
  static List<String> tagsLeft(Dialect source, Connection src, String migrationId)
      throws SQLException {
    String origin = ReverseStream.originName(migrationId);
    return source.speaksPostgres() && ApplierSession.originExists(src, origin)
        ? List.of("replication origin " + origin + " on the source")
        : List.of();
  }

  /**
   * The applier for {@code source}'s engine, applying the {@code inverse} mapping ({@link
   * MappingInversion#invert}) for migration {@code migrationId}.
   */
  static ReverseApplier of(
      Dialect source, Dialect target, MappingDocument inverse, String migrationId) {
    return source instanceof MariaDbDialect
        ? new MariaDbReverseApplier(inverse, migrationId)
        : new PgReverseApplier(source, target, inverse, migrationId);
  }
}
