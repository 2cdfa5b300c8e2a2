package io.migrationstudio.core.cutover;

import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.dialect.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The studio's bookkeeping on one database, as the decommission sees it: the {@code studio} schema
 * of a PostgreSQL database ({@link StudioSchema}) or the {@code studio} database of a MariaDB/MySQL
 * source ({@link MariaDbStudioDatabase}). It goes when nothing of another migration is in it;
 * otherwise only this migration's rows go.
 */
interface StudioBookkeeping {
  /**
   * What it holds now: its tables, what of other migrations is in it (their names, or what stands
   * for them), and what stays for this source's write freeze (empty when nothing does).
   */
  record Contents(
      boolean exists, List<String> tables, List<String> otherMigrations, List<String> freeze) {
    public Contents {
      tables = List.copyOf(tables);
      otherMigrations = List.copyOf(otherMigrations);
      freeze = List.copyOf(freeze);
    }

    static Contents absent() {
      return new Contents(false, List.of(), List.of(), List.of());
    }

    /** Whether it is dropped whole: nothing of another migration, nothing the freeze needs. */
    boolean drops() {
      return otherMigrations.isEmpty() && freeze.isEmpty();
    }
  }

  /** What it would be called in a report ({@code studio schema studio}). */
  String describe();

  Contents inspect(Connection c, String migrationId) throws SQLException;

  /**
   * Removes this migration's part, the whole when {@link Contents#drops}; returns {@code dropped},
   * {@code absent} or what was kept and why.
   */
  String remove(Connection c, String migrationId) throws SQLException;

  /** The bookkeeping the studio keeps on a database of {@code dialect}'s engine, if any. */
  static Optional<StudioBookkeeping> on(Dialect dialect) {
    if (dialect.speaksPostgres()) {
      return Optional.of(new StudioSchema(TargetSchema.DEFAULT_STUDIO_SCHEMA));
    }
    if (dialect instanceof io.migrationstudio.core.dialect.mariadb.MariaDbDialect) {
      return Optional.of(new MariaDbStudioDatabase());
    }
    return Optional.empty();
  }
}
