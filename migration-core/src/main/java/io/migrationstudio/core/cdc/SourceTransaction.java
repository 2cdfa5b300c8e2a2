package io.migrationstudio.core.cdc;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The row changes of one committed source transaction, in the order the source made them.
 *
 * @param xid the source's transaction id: PostgreSQL's 32-bit xid (as pgoutput's BEGIN gives it),
 *     or for a binlog the GTID or XID text; used by {@link ChunkSnapshot#includes} and in reports
 * @param commit the position of the commit; a transaction at or below the position the target holds
 *     was applied already
 * @param commitTime when the source committed it (lag in seconds)
 * @param changes possibly empty (a transaction on tables outside the scope, a heartbeat)
 */
public record SourceTransaction(
    String xid, StreamPosition commit, Instant commitTime, List<RowChange> changes) {
  public SourceTransaction {
    Objects.requireNonNull(xid, "transaction id is required");
    Objects.requireNonNull(commit, "commit position is required for transaction " + xid);
    Objects.requireNonNull(commitTime, "commit time is required for transaction " + xid);
    changes = changes == null ? List.of() : List.copyOf(changes);
  }
}
