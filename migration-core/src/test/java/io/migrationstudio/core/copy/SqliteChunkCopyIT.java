package io.migrationstudio.core.copy;

import io.migrationstudio.core.contract.AbstractChunkCopyIT;
import io.migrationstudio.core.contract.EngineDb;
import io.migrationstudio.testkit.SqliteDatabases;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The chunk copy contract from SQLite's Chinook (a temporary file) into PostgreSQL. */
class SqliteChunkCopyIT extends AbstractChunkCopyIT {
  @TempDir Path dir;

  @Override
  protected EngineDb chinookSource() {
    return EngineDb.sqlite(SqliteDatabases.chinook(dir));
  }
}
