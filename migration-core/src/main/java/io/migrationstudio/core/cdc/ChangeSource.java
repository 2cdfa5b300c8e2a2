package io.migrationstudio.core.cdc;

import java.time.Duration;
import java.util.List;

/**
 * A reader of one source's log from a position on. Not thread-safe: one applier drives it.
 *
 * <p>The contract that makes the apply exactly-once: the reader hands out whole committed
 * transactions in commit order; {@link #confirm} is called only after the target committed
 * everything up to that position (with the position, in the same target transaction), and only then
 * may the source release its log (PostgreSQL: the slot's confirmed flush LSN). After a reconnect a
 * reader may hand out transactions again: the applier skips those at or below the position the
 * target holds.
 */
public interface ChangeSource extends AutoCloseable {
  /**
   * The next whole transactions, waiting up to {@code wait} for the first; at most about {@code
   * maxChanges} row changes (a larger single transaction is returned whole). Empty when nothing
   * committed in the meantime.
   */
  List<SourceTransaction> poll(Duration wait, int maxChanges) throws Exception;

  /**
   * The target holds everything up to {@code position}: the source may release the log before it.
   */
  void confirm(StreamPosition position) throws Exception;

  /** The source's current end of log (for lag in bytes/positions). */
  StreamPosition head() throws Exception;

  @Override
  void close() throws Exception;
}
