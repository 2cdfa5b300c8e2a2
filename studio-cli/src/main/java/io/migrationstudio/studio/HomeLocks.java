package io.migrationstudio.studio;

import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.workflow.DriveLocks;
import io.migrationstudio.workflow.WorkflowDescriptions;
import io.temporal.client.WorkflowClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RunLock}s of the migrations this process drives ({@link DriveLocks} of its workflow
 * service): each migration it starts or re-creates is locked in its home (and on its target) while
 * the workflow runs, and released when the workflow has ended (checked every {@value
 * #SWEEP_SECONDS} s) or the process stops. A migration whose lock another live process holds is
 * refused, naming that process and its operator API.
 *
 * <p>{@code studio run} takes its own migration's lock before anything starts and hands it over
 * ({@link #adopt}); it keeps closing that one itself.
 */
final class HomeLocks implements DriveLocks, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HomeLocks.class);

  /** How often the workflows of the held locks are checked for their end. */
  static final int SWEEP_SECONDS = 5;

  private record Held(RunLock lock, boolean adopted, boolean pending) {}

  private final StudioHome home;
  private final Map<String, Held> held = new LinkedHashMap<>();
  private String command = "studio";
  private String api;
  private WorkflowClient client;
  private ScheduledExecutorService sweeper;

  HomeLocks(StudioHome home) {
    this.home = home;
  }

  /**
   * Names this process in the locks it takes from now on ({@code studio server}, {@code studio run
   * ID}) and the operator API ({@code host:port}) through which its migrations are followed.
   */
  synchronized void describe(String command, String api) {
    this.command = command;
    this.api = api;
    for (Held h : held.values()) {
      if (!h.adopted()) {
        h.lock().servedAt(api);
      }
    }
  }

  /** Starts releasing the locks of ended workflows, asking {@code client}. */
  synchronized void watch(WorkflowClient client) {
    this.client = client;
    if (sweeper == null) {
      sweeper =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "studio-home-locks");
                t.setDaemon(true);
                return t;
              });
      sweeper.scheduleWithFixedDelay(this::sweepQuietly, 1, SWEEP_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** The lock {@code studio run} took for its own migration before this process started. */
  synchronized void adopt(String migrationId, RunLock lock) {
    held.put(migrationId, new Held(lock, true, false));
  }

  @Override
  public boolean acquire(MigrationSpec spec) {
    String id = spec.id();
    synchronized (this) {
      if (held.containsKey(id)) {
        return false;
      }
    }
    // outside the monitor: the target's lock may take a connection's time
    RunLock lock = RunLock.acquire(home, spec, command);
    synchronized (this) {
      if (api != null) {
        lock.servedAt(api);
      }
      held.put(id, new Held(lock, false, true));
    }
    return true;
  }

  @Override
  public synchronized void started(String migrationId) {
    Held h = held.get(migrationId);
    if (h != null && h.pending()) {
      held.put(migrationId, new Held(h.lock(), h.adopted(), false));
    }
  }

  @Override
  public void release(String migrationId) {
    Held h;
    synchronized (this) {
      h = held.get(migrationId);
      if (h == null || h.adopted()) {
        return;
      }
      held.remove(migrationId);
    }
    h.lock().close();
  }

  /** Whether this process holds the lock of {@code migrationId}. */
  synchronized boolean holds(String migrationId) {
    return held.containsKey(migrationId);
  }

  /** Releases the locks whose workflow is no longer running (not those being started). */
  void sweep() {
    List<String> candidates;
    WorkflowClient c;
    synchronized (this) {
      c = client;
      candidates = new ArrayList<>();
      held.forEach(
          (id, h) -> {
            if (!h.pending() && !h.adopted()) {
              candidates.add(id);
            }
          });
    }
    if (c == null) {
      return;
    }
    for (String id : candidates) {
      if (!WorkflowDescriptions.running(c, TaskQueues.workflowId(id))) {
        log.info("the workflow of {} ended: its run lock is released", id);
        synchronized (this) {
          Held h = held.get(id);
          if (h == null || h.pending()) {
            continue; // started again meanwhile
          }
        }
        release(id);
      }
    }
  }

  private void sweepQuietly() {
    try {
      sweep();
    } catch (RuntimeException e) {
      // Temporal not answering: the locks stay until it does (or the process ends)
      log.warn("cannot check the workflows of the held run locks: {}", e.toString());
    }
  }

  @Override
  public void close() {
    List<Held> all;
    synchronized (this) {
      if (sweeper != null) {
        sweeper.shutdownNow();
      }
      all = new ArrayList<>(held.values());
      held.clear();
    }
    for (Held h : all) {
      if (!h.adopted()) {
        h.lock().close();
      }
    }
  }
}
