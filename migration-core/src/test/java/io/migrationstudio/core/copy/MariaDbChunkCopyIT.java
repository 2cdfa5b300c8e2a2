package io.migrationstudio.core.copy;

import io.migrationstudio.core.contract.AbstractChunkCopyIT;
import io.migrationstudio.core.contract.EngineDb;

/** The chunk copy contract from MariaDB's Chinook (shared embedded MariaDB) into PostgreSQL. */
class MariaDbChunkCopyIT extends AbstractChunkCopyIT {
  @Override
  protected EngineDb chinookSource() {
    return EngineDb.mariadbChinook();
  }
}
