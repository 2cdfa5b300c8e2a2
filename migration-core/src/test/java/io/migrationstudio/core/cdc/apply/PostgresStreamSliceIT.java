package io.migrationstudio.core.cdc.apply;

import io.migrationstudio.core.contract.EngineDb;

/** Stream slices killed and resumed, from a PostgreSQL source (logical slot, pgoutput). */
class PostgresStreamSliceIT extends AbstractStreamSliceIT {
  @Override
  EngineDb newSource(String prefix) {
    return EngineDb.postgres(prefix);
  }
}
