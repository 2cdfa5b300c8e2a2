package io.migrationstudio.core.cdc.apply;

import io.migrationstudio.core.contract.EngineDb;

/** Stream slices killed and resumed, from a PostgreSQL source (logical slot, pgoutput). */
class PostgresStreamSliceIT extends AbstractStreamSliceIT {
  @Override
  EngineDb newSource(String prefix) {
    return EngineDb.postgres(prefix);
  }

  /** The slot keeps WAL from its restart position, which trails the confirmed one. */
  @Override
  void assertKeptAfterCatchUp(long bytes) {
    org.junit.jupiter.api.Assertions.assertTrue(bytes >= 0, "retained " + bytes);
  }
}
