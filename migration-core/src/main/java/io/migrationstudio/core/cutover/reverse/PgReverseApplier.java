package io.migrationstudio.core.cutover.reverse;

import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.apply.ChangeApplier;
import io.migrationstudio.core.cdc.apply.StreamPositions;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.mapping.MappingDocument;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

/**
 * The reverse applier on a PostgreSQL source: the forward stream's {@link ChangeApplier} with the
 * roles swapped, in a session that passes the guards and tags its writes ({@link ApplierSession}).
 */
final class PgReverseApplier implements ReverseApplier {
  private final MappingDocument inverse;
  private final String origin;
  private final ChangeApplier applier;

  PgReverseApplier(Dialect source, Dialect target, MappingDocument inverse, String migrationId) {
    this.inverse = inverse;
    this.origin = ReverseStream.originName(migrationId);
    this.applier =
        new ChangeApplier(
            target,
            source,
            inverse,
            ReverseStream.recordName(migrationId),
            ReverseStream.captureName(migrationId),
            TargetSchema.DEFAULT_STUDIO_SCHEMA,
            null);
  }

  @Override
  public void prepare(Connection source) throws SQLException {
    ApplierSession.createOrigin(source, origin);
    ApplierSession.enter(source, origin); // checks the grants now
    source.setAutoCommit(false);
    try (Statement st = source.createStatement()) {
      // its stream position, and an empty chunk ledger (no chunk snapshots: every change applies)
      Dialect pg = Dialects.forName("postgresql");
      for (String sql :
          new TargetSchema(pg, inverse, TargetSchema.DEFAULT_STUDIO_SCHEMA).ledgerStatements()) {
        st.execute(sql);
      }
    }
    source.commit();
  }

  @Override
  public void enter(Connection source) throws SQLException {
    ApplierSession.enter(source, origin);
  }

  @Override
  public Optional<StreamPositions.Stored> stored(Connection source) {
    return applier.stored(source);
  }

  @Override
  public ChangeApplier.ApplyResult apply(Connection source, List<SourceTransaction> batch) {
    return applier.apply(source, batch);
  }

  @Override
  public List<SourceSequences.Set> advanceSequences(
      Connection source, Connection target, Dialect sd, Dialect td, MappingDocument mapping)
      throws SQLException {
    return SourceSequences.advance(source, target, sd, td, mapping);
  }
}
