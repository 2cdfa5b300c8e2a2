package io.migrationstudio.core.cutover;

import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialect.WriteFreeze;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * {@code studio release}: lifts the write freeze the studio left on a source (after a cutover, for
 * hypercare, or after a crash in the middle of one), whatever migration left it: every table of the
 * source database that carries the studio's write guard gets it removed, and the guards are checked
 * gone; then what the guards kept beside them is removed when nothing else needs it (on MariaDB the
 * rows of {@code studio.guard_state}, that table, and the {@code studio} database when it is left
 * empty). Idempotent: a source without guards is reported as such (what is left of their state is
 * removed all the same).
 */
public final class FreezeRelease {
  /**
   * What was released: the source (redacted), the tables, empty when nothing was frozen, and what
   * of the freeze's own state was removed with them ({@link WriteFreeze#removeState}).
   */
  public record Released(String source, List<String> tables, List<String> removed) {
    public Released {
      tables = List.copyOf(tables);
      removed = List.copyOf(removed);
    }

    /** One line for people. */
    public String describe() {
      String lifted =
          tables.isEmpty()
              ? "nothing to release: no table of "
                  + source
                  + " carries the studio's write guard (it takes writes)"
              : "released the write freeze on "
                  + tables.size()
                  + (tables.size() == 1 ? " table" : " tables")
                  + " of "
                  + source
                  + ": "
                  + String.join(", ", tables);
      return removed.isEmpty() ? lifted : lifted + "; removed " + String.join(", ", removed);
    }
  }

  private final Secrets secrets;

  public FreezeRelease(Secrets secrets) {
    this.secrets = secrets;
  }

  public Released release(MigrationSpec spec) {
    String source = MigrationException.redact(spec.source().url());
    Dialect dialect = Dialects.forUrl(spec.source().url());
    Optional<WriteFreeze> freeze = dialect.writeFreeze();
    if (freeze.isEmpty()) {
      return new Released(source, List.of(), List.of());
    }
    WriteFreeze f = freeze.get();
    try (Connection c = Dialects.open(spec.source(), secrets, "source")) {
      List<String> guarded = f.guardedTables(c);
      if (guarded.isEmpty()) {
        return new Released(source, guarded, f.removeState(c));
      }
      f.unfreezeWrites(c, guarded);
      List<String> still = f.guardedTables(c);
      if (!still.isEmpty()) {
        throw new MigrationException(
            io.migrationstudio.contracts.ErrorCode.CUTOVER_FAILED,
            "the write guards of "
                + still
                + " on "
                + source
                + " are still there after removing them; drop them by hand (PostgreSQL: DROP"
                + " TRIGGER studio_write_guard ON each table; MariaDB: DROP TRIGGER"
                + " studio_guard_*)");
      }
      return new Released(source, guarded, f.removeState(c));
    } catch (SQLException e) {
      throw dialect.classify(e, "releasing the write freeze on " + source);
    }
  }
}
