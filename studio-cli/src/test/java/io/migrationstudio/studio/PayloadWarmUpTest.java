package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.activity.StageRequest;
import io.migrationstudio.contracts.activity.StreamSlice;
import io.migrationstudio.contracts.workflow.MigrationInput;
import io.temporal.activity.ActivityInterface;
import io.temporal.workflow.WorkflowInterface;
import java.lang.reflect.Type;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PayloadWarmUpTest {
  /** The inputs whose cold deserializers delayed a benchmark's first workflow task and activity. */
  @Test
  void buildsTheMigrationsInputAndTheFirstMigrateAndStreamActivitiesInputs() {
    Set<Type> types = PayloadWarmUp.run();
    for (Class<?> c :
        new Class<?>[] {MigrationInput.class, StageRequest.class, StreamSlice.class}) {
      assertTrue(types.contains(c), c + " not among " + types);
    }
  }

  @Test
  void listsOnlyTemporalInterfaces() {
    for (Class<?> c : PayloadWarmUp.INTERFACES) {
      assertTrue(
          c.isAnnotationPresent(WorkflowInterface.class)
              || c.isAnnotationPresent(ActivityInterface.class),
          c.getName());
    }
  }
}
