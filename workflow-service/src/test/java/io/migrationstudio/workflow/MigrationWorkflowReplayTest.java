package io.migrationstudio.workflow;

import io.temporal.testing.WorkflowReplayer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Replays a recorded history (a full run with an ask gate approved) against the current code: a
 * change to the workflow's logic that is not behind {@code Workflow.getVersion} fails here.
 */
class MigrationWorkflowReplayTest {
  @Test
  void recordedHistoryReplaysWithoutNonDeterminism() throws Exception {
    String json;
    try (InputStream in =
        getClass().getResourceAsStream("/histories/migration-workflow-history.json")) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    WorkflowReplayer.replayWorkflowExecution(json, MigrationWorkflowImpl.class);
  }
}
