package io.migrationstudio.core.cutover.reverse;

import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.cdc.apply.ChangeApplier;
import io.migrationstudio.core.cdc.apply.RowChanges;
import io.migrationstudio.core.cdc.apply.StreamPositions;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.cutover.FinalCheck;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.mapping.MappingDocument;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reverse applier on a PostgreSQL source: the forward stream's {@link ChangeApplier} with the
 * roles swapped, in a session that passes the guards and tags its writes ({@link ApplierSession}).
 */
final class PgReverseApplier implements ReverseApplier {
  private final MappingDocument inverse;
  private final String origin;
  private final ChangeApplier applier;
  private final String record;
  private final String capture;

  PgReverseApplier(Dialect source, Dialect target, MappingDocument inverse, String migrationId) {
    this.inverse = inverse;
    this.origin = ReverseStream.originName(migrationId);
    this.record = ReverseStream.recordName(migrationId);
    this.capture = ReverseStream.captureName(migrationId);
    this.applier =
        new ChangeApplier(
            target, source, inverse, record, capture, TargetSchema.DEFAULT_STUDIO_SCHEMA, null);
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

  /** The forward stream's record ({@link RowChanges}), kept by its applier on the source. */
  @Override
  public FinalCheck.ChangedRows changedRows() {
    Dialect pg = Dialects.forName("postgresql");
    RowChanges rows = new RowChanges(pg, TargetSchema.DEFAULT_STUDIO_SCHEMA);
    StreamPositions positions = new StreamPositions(pg, TargetSchema.DEFAULT_STUDIO_SCHEMA);
    return new FinalCheck.ChangedRows() {
      @Override
      public RowChanges.Coverage coverage(Connection source, StreamPosition proof)
          throws SQLException {
        return rows.coverage(source, record, capture, positions, proof, RowChanges.SWITCH);
      }

      @Override
      public Map<String, List<RowChanges.Changed>> since(Connection source, StreamPosition proof)
          throws SQLException {
        return rows.since(source, record, capture, proof);
      }
    };
  }

  @Override
  public List<SourceSequences.Set> advanceSequences(
      Connection source, Connection target, Dialect sd, Dialect td, MappingDocument mapping)
      throws SQLException {
    return SourceSequences.advance(source, target, sd, td, mapping);
  }
}
