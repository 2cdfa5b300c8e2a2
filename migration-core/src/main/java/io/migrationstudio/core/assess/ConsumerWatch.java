package io.migrationstudio.core.assess;

import io.migrationstudio.contracts.spec.ConsumerWindow;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.schema.ConsumerInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The inventory's consumer sampling ({@link ConsumerSampler}) on a connection and a thread of its
 * own, while the inventory's connection reads the catalog and runs the throughput probes (issue 14:
 * the window, 2 s by default, is waiting between looks, and it came before the probes, adding its
 * whole length to the Assessment of a small database). The window and its looks are as the spec
 * says; every look leaves out the probes' session besides the sampler's own, so the studio never
 * counts itself as a consumer.
 */
final class ConsumerWatch implements AutoCloseable {
  private final Connection looker;
  private final FutureTask<List<ConsumerInfo>> task;
  private final Thread thread;

  /**
   * Starts sampling the sessions of {@code schema} over {@code window} on {@code looker} (owned by
   * this watch from now on), leaving out {@code probes}' session too.
   */
  static ConsumerWatch start(
      Dialect dialect, Connection looker, String schema, ConsumerWindow window, Connection probes)
      throws SQLException {
    Set<Long> alsoOwn =
        dialect.sessionList().isPresent()
            ? Set.of(dialect.sessionList().get().sessionId(probes))
            : Set.of();
    return new ConsumerWatch(
        looker, () -> ConsumerSampler.sample(dialect, looker, schema, window, alsoOwn));
  }

  private ConsumerWatch(Connection looker, java.util.concurrent.Callable<List<ConsumerInfo>> work) {
    this.looker = looker;
    this.task = new FutureTask<>(work);
    this.thread = new Thread(task, "assessment-consumers");
    thread.setDaemon(true);
    thread.start();
  }

  /** The consumers once the window has passed (waits for its end); the sampler's failure as is. */
  List<ConsumerInfo> consumers() throws SQLException {
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while sampling the sessions of the source", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SQLException s) {
        throw s;
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Stops a sampling still under way (it keeps what it saw) and closes its connection. */
  @Override
  public void close() throws SQLException {
    if (!task.isDone()) {
      thread.interrupt();
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    looker.close();
  }
}
