package io.migrationstudio.studio;

import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import java.util.Locale;

/**
 * A {@link Timings} line per activity this process's workers run: how long it ran, and how long it
 * waited in its task queue after Temporal scheduled it (the dispatch cost between two steps).
 */
final class ActivityTimings extends WorkerInterceptorBase {
  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new ActivityInboundCallsInterceptorBase(next) {
      private ActivityInfo info;

      @Override
      public void init(ActivityExecutionContext context) {
        info = context.getInfo();
        super.init(context);
      }

      @Override
      public ActivityOutput execute(ActivityInput input) {
        long started = System.currentTimeMillis();
        try {
          return super.execute(input);
        } finally {
          Timings.span(
              "activity " + info.getActivityType(),
              System.currentTimeMillis() - started,
              String.format(
                  Locale.ROOT,
                  "(queued %d ms, attempt %d)",
                  started - info.getCurrentAttemptScheduledTimestamp(),
                  info.getAttempt()));
        }
      }
    };
  }
}
