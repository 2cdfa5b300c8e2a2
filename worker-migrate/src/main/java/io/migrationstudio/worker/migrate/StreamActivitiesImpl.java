package io.migrationstudio.worker.migrate;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.ActivityFailures;
import io.migrationstudio.contracts.activity.CaptureDrop;
import io.migrationstudio.contracts.activity.CaptureStarted;
import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StageResult;
import io.migrationstudio.contracts.activity.StreamActivities;
import io.migrationstudio.contracts.activity.StreamEvidence;
import io.migrationstudio.contracts.activity.StreamSlice;
import io.migrationstudio.contracts.workflow.StreamProgress;
import io.migrationstudio.core.cdc.apply.StreamService;
import io.migrationstudio.core.evidence.StageArtifacts;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.spec.SecretResolver;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The change stream's activities: a thin adapter over {@link StreamService} (built once). A slice
 * heartbeats its progress after every batch (position, lag, counters), so a dead worker is noticed
 * within the heartbeat timeout and the next slice starts on another from the target's position.
 */
public final class StreamActivitiesImpl implements StreamActivities {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(StreamActivitiesImpl.class);

  private final StageArtifacts artifacts;
  private final StreamService streams;

  public StreamActivitiesImpl(ArtifactStore store, SecretResolver secrets) {
    this.artifacts = new StageArtifacts(Objects.requireNonNull(store));
    this.streams = new StreamService(Objects.requireNonNull(secrets));
  }

  @Override
  public CaptureStarted prepareCapture(StageRequest req) {
    return ActivityFailures.run(
        () -> {
          MappingDocument mapping = artifacts.mapping(req.branch(), req.commit());
          return streams.prepare(req.spec(), mapping, req.migrationId());
        });
  }

  @Override
  public StreamProgress applySlice(StreamSlice slice) {
    return ActivityFailures.run(
        () -> {
          MappingDocument mapping = artifacts.mapping(slice.branch(), slice.mappingCommit());
          ActivityExecutionContext ctx = Activity.getExecutionContext();
          // a pause or a cancel reaches the slice at a heartbeat, after a whole batch: it ends
          // there as cancelled (not as a failed attempt to retry)
          AtomicReference<ActivityCompletionException> cancelled = new AtomicReference<>();
          Consumer<StreamProgress> heartbeat =
              p -> {
                try {
                  ctx.heartbeat(p);
                } catch (ActivityCompletionException e) {
                  cancelled.set(e);
                  throw e;
                }
              };
          try {
            return streams.applySlice(
                slice.spec(),
                mapping,
                slice.migrationId(),
                slice.capture(),
                slice.startPosition(),
                Duration.ofMillis(slice.sliceMillis()),
                heartbeat);
          } catch (RuntimeException e) {
            if (cancelled.get() != null) {
              log.info("change stream {}: slice cancelled after a batch", slice.capture());
              throw cancelled.get();
            }
            // the retry policy hides a failed attempt until the last one: say why each failed
            log.warn(
                "change stream {}: slice attempt {} failed: {}",
                slice.capture(),
                ctx.getInfo().getAttempt(),
                e.toString(),
                e);
            throw e;
          }
        });
  }

  @Override
  public StreamProgress measureStream(StreamSlice slice) {
    return ActivityFailures.run(
        () ->
            streams.measure(
                slice.spec(),
                artifacts.mapping(slice.branch(), slice.mappingCommit()),
                slice.migrationId(),
                slice.capture(),
                slice.startPosition()));
  }

  @Override
  public StageResult recordStream(StreamEvidence e) {
    return ActivityFailures.run(
        () ->
            artifacts.commit(
                Stage.MIGRATE,
                Stage.MIGRATE.checkerRole(),
                e.branch(),
                "Migrate: change stream",
                StreamService.evidence(e.spec(), e.progress())));
  }

  @Override
  public void dropCapture(CaptureDrop drop) {
    ActivityFailures.run(
        () -> {
          streams.drop(drop.spec(), drop.capture());
          return null;
        });
  }
}
