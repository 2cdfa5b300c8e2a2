package io.migrationstudio.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.Progress;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link MigrationStatus} has only its canonical constructor: its factory and copies keep what they
 * do not change, and its JSON (the status query's answer in recorded histories) has exactly the
 * record's components.
 */
class MigrationStatusCopiesTest {

  @Test
  void failedKeepsStreamsHypercareAndEvidenceAndClearsTheReview() throws Exception {
    MigrationStatus running = (MigrationStatus) RecordCopiesTest.build(MigrationStatus.class, 0);
    assertNotNull(running.reverse());
    assertNotNull(running.hypercare());
    MigrationStatus failed = running.failed("ended by a test");
    assertEquals(MigrationState.FAILED, failed.state());
    assertNull(failed.reviewCommit(), "no review is pending on a failed migration");
    assertEquals("ended by a test", failed.message());
    Set<String> changed = Set.of("state", "reviewCommit", "message");
    for (RecordComponent c : MigrationStatus.class.getRecordComponents()) {
      if (!changed.contains(c.getName())) {
        assertEquals(
            c.getAccessor().invoke(running), c.getAccessor().invoke(failed), c.getName() + " kept");
      }
    }
  }

  @Test
  void ofStartsEmptyAsAMigrationWithoutWorkflowId() {
    MigrationStatus s =
        MigrationStatus.of("shop", "migrations/shop", null, MigrationState.RUNNING, "m");
    assertEquals(
        new MigrationStatus(
            "shop",
            "migrations/shop",
            null,
            MigrationState.RUNNING,
            null,
            List.of(),
            List.of(),
            List.of(),
            Progress.empty(),
            "m",
            MigrationStatus.KIND_MIGRATION,
            null,
            null,
            null,
            null),
        s);
    MigrationStatus v =
        s.withKind(MigrationStatus.KIND_VALIDATION).withWorkflowId("validation-shop-1");
    assertEquals(MigrationStatus.KIND_VALIDATION, v.kind());
    assertEquals("validation-shop-1", v.workflowId());
  }

  @Test
  void theJsonHasExactlyTheComponentsAndReadsBack() throws Exception {
    ObjectMapper json = new ObjectMapper();
    MigrationStatus s =
        MigrationStatus.of("shop", "migrations/shop", null, MigrationState.FAILED, "m")
            .withWorkflowId("migration-shop");
    JsonNode tree = json.valueToTree(s);
    Set<String> keys = new TreeSet<>();
    tree.fieldNames().forEachRemaining(keys::add);
    Set<String> components = new TreeSet<>();
    Stream.of(MigrationStatus.class.getRecordComponents())
        .forEach(c -> components.add(c.getName()));
    assertEquals(components, keys, "no factory or copy shows up as a JSON property");
    assertEquals(s, json.treeToValue(tree, MigrationStatus.class));
  }
}
