package io.migrationstudio.studio;

import com.google.protobuf.ByteString;
import io.migrationstudio.contracts.activity.AssessmentActivities;
import io.migrationstudio.contracts.activity.CutoverActivities;
import io.migrationstudio.contracts.activity.EvidenceActivities;
import io.migrationstudio.contracts.activity.HypercareActivities;
import io.migrationstudio.contracts.activity.MappingActivities;
import io.migrationstudio.contracts.activity.MigrateActivities;
import io.migrationstudio.contracts.activity.ReverseActivities;
import io.migrationstudio.contracts.activity.StreamActivities;
import io.migrationstudio.contracts.activity.ValidationActivities;
import io.migrationstudio.contracts.workflow.ChangeStreamWorkflow;
import io.migrationstudio.contracts.workflow.MigrationWorkflow;
import io.migrationstudio.contracts.workflow.ReverseStreamWorkflow;
import io.migrationstudio.contracts.workflow.TableCopyWorkflow;
import io.migrationstudio.contracts.workflow.ValidationWorkflow;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.EncodingKeys;
import io.temporal.common.converter.GlobalDataConverter;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the data converter's Jackson deserializers of every workflow and activity input while a
 * long-running process starts. Built on first use otherwise, inside the first task: in a loaded
 * benchmark the migration's first workflow task ran over the SDK's 1 s deadlock limit doing it, and
 * the migrate worker's first activity (PrepareTarget) waited 5 s between its scheduling and its
 * start where the later ones waited 40-200 ms.
 */
final class PayloadWarmUp {
  static final List<Class<?>> INTERFACES =
      List.of(
          MigrationWorkflow.class,
          TableCopyWorkflow.class,
          ValidationWorkflow.class,
          ChangeStreamWorkflow.class,
          ReverseStreamWorkflow.class,
          AssessmentActivities.class,
          CutoverActivities.class,
          EvidenceActivities.class,
          HypercareActivities.class,
          MappingActivities.class,
          MigrateActivities.class,
          ReverseActivities.class,
          StreamActivities.class,
          ValidationActivities.class);

  private static final Payload EMPTY_OBJECT =
      Payload.newBuilder()
          .putMetadata(EncodingKeys.METADATA_ENCODING_KEY, ByteString.copyFromUtf8("json/plain"))
          .setData(ByteString.copyFromUtf8("{}"))
          .build();

  private PayloadWarmUp() {}

  /**
   * Runs {@link #run} in a daemon thread, next to the process's start (Temporal, the workers'
   * registration), so that it adds no time to it.
   */
  static void startInBackground() {
    Thread t =
        new Thread(
            () -> {
              long started = System.nanoTime();
              int types = run().size();
              Timings.span(
                  "payload deserializers built",
                  (System.nanoTime() - started) / 1_000_000,
                  "(" + types + " input types, in the background)");
            },
            "payload-warm-up");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Reads an empty JSON object as each parameter type of {@link #INTERFACES}' methods (the value is
   * dropped: a type an empty object does not fit fails after its deserializer is built); returns
   * the types read.
   */
  static Set<Type> run() {
    Set<Type> types = new LinkedHashSet<>();
    for (Class<?> c : INTERFACES) {
      for (Method m : c.getMethods()) {
        Class<?>[] raw = m.getParameterTypes();
        Type[] generic = m.getGenericParameterTypes();
        for (int i = 0; i < raw.length; i++) {
          if (types.add(generic[i])) {
            read(raw[i], generic[i]);
          }
        }
      }
    }
    return types;
  }

  private static void read(Class<?> raw, Type generic) {
    try {
      GlobalDataConverter.get().fromPayload(EMPTY_OBJECT, raw, generic);
    } catch (RuntimeException e) {
      // the deserializer is cached before the value is read: an empty object need not fit
    }
  }
}
