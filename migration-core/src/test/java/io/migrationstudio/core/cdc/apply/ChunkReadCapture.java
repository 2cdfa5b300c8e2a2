package io.migrationstudio.core.cdc.apply;

import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.core.cdc.ChangeCapture;
import io.migrationstudio.core.cdc.ChangeSource;
import io.migrationstudio.core.cdc.ChunkSnapshot;
import io.migrationstudio.core.cdc.StreamPosition;
import io.migrationstudio.core.dialect.Secrets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Test-only: the chunk-read half of a PostgreSQL change capture, on the real server. {@link
 * #beginChunkRead} begins a REPEATABLE READ, READ ONLY transaction whose first statement takes
 * {@code pg_current_snapshot()}, so the snapshot returned is the one every read of the chunk sees.
 * The stream half comes from the test's slot ({@link TestDecoding}).
 */
final class ChunkReadCapture implements ChangeCapture {
  @Override
  public ChunkSnapshot beginChunkRead(Connection source) throws SQLException {
    source.setAutoCommit(false);
    try (Statement st = source.createStatement()) {
      st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      try (ResultSet rs = st.executeQuery("SELECT pg_current_snapshot()::text")) {
        rs.next();
        return ChunkSnapshot.PgSnapshot.parse(rs.getString(1));
      }
    }
  }

  @Override
  public StreamPosition prepare(Connection source, String name, List<String> tables) {
    throw new UnsupportedOperationException("the test creates its slot itself");
  }

  @Override
  public StreamPosition head(Connection source) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ChangeSource open(
      ConnectionSpec source,
      Secrets secrets,
      String name,
      List<String> tables,
      StreamPosition from) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void drop(Connection source, String name) {
    throw new UnsupportedOperationException();
  }
}
