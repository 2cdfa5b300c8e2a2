package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.workflow.MigrationInput;
import io.migrationstudio.contracts.workflow.MigrationOutcome;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.MigrationWorkflow;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.workflow.TemporalConnection;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A migration started as JSON without spec text (Temporal UI, another client) is checked with the
 * spec loader's rules at its first activity: an unknown key ({@code paralelism}) fails the start,
 * listing every problem, before anything is committed; a well-formed JSON input runs.
 */
@ExtendWith(PostgresExtension.class)
@Timeout(300)
class JsonWorkflowInputIT {

  @Test
  void unknownKeysInAJsonStartAreRefusedAndAValidOneRuns(
      TestDatabase source, TestDatabase target, @TempDir Path home) throws Exception {
    source.execute("CREATE TABLE items (id integer PRIMARY KEY)", "INSERT INTO items VALUES (1)");
    try (Services services =
            Services.start(
                StudioHome.of(home),
                null,
                0,
                new Services.ServicePorts(Services.LOOPBACK, 0, -1),
                Set.copyOf(Services.WORKERS),
                null);
        TemporalConnection temporal = TemporalConnection.connect(services.temporalTarget())) {
      WorkflowClient client = temporal.client();
      Map<String, Object> typo =
          Map.of(
              "spec",
              Map.of(
                  "id", "json-typo",
                  "source", Map.of("url", source.jdbcUrl(), "user", "postgres"),
                  "target", Map.of("url", target.jdbcUrl(), "user", "postgres"),
                  "migrate", Map.of("paralelism", 64),
                  "validation", Map.of("sample_row", 5)));
      WorkflowStub bad =
          client.newUntypedWorkflowStub(
              "MigrationWorkflow",
              WorkflowOptions.newBuilder()
                  .setWorkflowId(TaskQueues.workflowId("json-typo"))
                  .setTaskQueue(TaskQueues.WORKFLOW)
                  .build());
      bad.start(typo);
      String message;
      try {
        MigrationOutcome out = bad.getResult(120, TimeUnit.SECONDS, MigrationOutcome.class);
        assertEquals(MigrationState.FAILED, out.state(), out.toString());
        message = out.message();
      } catch (WorkflowFailedException e) {
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
          chain.append(t.getMessage()).append('\n');
        }
        message = chain.toString();
      }
      assertTrue(message.contains("INVALID_SPEC") || message.contains("spec"), message);
      assertTrue(message.contains("migrate.paralelism"), message);
      assertTrue(message.contains("validation.sample_row"), message);
      assertFalse(
          services.store().head(TaskQueues.branch("json-typo")).isPresent()
              && services
                  .store()
                  .read(TaskQueues.branch("json-typo"), "migration.yaml")
                  .isPresent(),
          "the refused spec is not committed");

      // the same shape without the typos (a typed client, no spec text) passes the check
      MigrationInput good =
          new MigrationInput(
              SpecLoader.parse(
                  String.join(
                      "\n",
                      "id: json-good",
                      "cutover: { hypercare: PT0S }", // ends at the switch
                      "source: { url: \"" + source.jdbcUrl() + "\", user: postgres }",
                      "target: { url: \"" + target.jdbcUrl() + "\", user: postgres }",
                      "reviews: { assessment: ask, cutover: auto, identity: none }",
                      "approvers: { default: [alice] }",
                      "")),
              null);
      MigrationWorkflow wf =
          client.newWorkflowStub(
              MigrationWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setWorkflowId(TaskQueues.workflowId("json-good"))
                  .setTaskQueue(TaskQueues.WORKFLOW)
                  .build());
      WorkflowClient.start(wf::run, good);
      MigrationStatus st;
      long deadline = System.currentTimeMillis() + 120_000;
      do {
        Thread.sleep(300);
        st = wf.status();
        assertTrue(st.state() != MigrationState.FAILED, st.toString());
        assertTrue(System.currentTimeMillis() < deadline, st.toString());
      } while (st.state() != MigrationState.AWAITING_REVIEW);
      assertTrue(services.store().head(TaskQueues.branch("json-good")).isPresent());
    }
  }
}
