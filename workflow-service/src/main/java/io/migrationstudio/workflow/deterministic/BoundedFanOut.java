package io.migrationstudio.workflow.deterministic;

import io.temporal.workflow.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * At most {@code limit} asynchronous calls (activities or child workflows) in flight: {@link
 * #start} first waits until one of the running calls completes when the limit is reached. Each
 * completed call's result goes to {@code onDone}, in start order among the calls found complete at
 * that moment; a failed call throws its failure from the {@code start} or {@code await} that finds
 * it.
 *
 * <p>Workflow code, deterministic: it only waits on promises, and the order in which results are
 * handed on (and so any command {@code onDone} issues) depends on history alone. Every fan-out of
 * the workflows goes through it (chunks inline and per table, tables as children, repair chunks).
 */
final class BoundedFanOut<T> {
  private final int limit;
  private final Consumer<T> onDone;
  private final List<Promise<T>> inFlight = new ArrayList<>();

  BoundedFanOut(int limit, Consumer<T> onDone) {
    if (limit < 1) {
      throw new IllegalArgumentException("a fan-out needs a limit of at least 1, was " + limit);
    }
    this.limit = limit;
    this.onDone = onDone;
  }

  /** Waits for room, then starts the call {@code start} makes (it runs only once there is room). */
  void start(Supplier<Promise<T>> start) {
    while (inFlight.size() >= limit) {
      Promise.anyOf(inFlight).get();
      drain();
    }
    inFlight.add(start.get());
  }

  /** Waits for every call, handing on each result as it completes. */
  void awaitAll() {
    while (!inFlight.isEmpty()) {
      Promise.anyOf(inFlight).get();
      drain();
    }
  }

  /**
   * Waits for every call in start order (a later call's failure surfaces only after the earlier
   * calls completed): the order the repair's histories were recorded with.
   */
  void awaitAllInStartOrder() {
    for (Promise<T> p : inFlight) {
      onDone.accept(p.get());
    }
    inFlight.clear();
  }

  /** Hands on the completed calls, in start order, and keeps the others. */
  private void drain() {
    List<Promise<T>> still = new ArrayList<>();
    for (Promise<T> p : inFlight) {
      if (p.isCompleted()) {
        onDone.accept(p.get());
      } else {
        still.add(p);
      }
    }
    inFlight.clear();
    inFlight.addAll(still);
  }
}
