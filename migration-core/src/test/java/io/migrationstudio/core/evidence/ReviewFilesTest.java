package io.migrationstudio.core.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.workflow.Decision;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReviewFilesTest {
  @Test
  void pathAndContentRoundTrip() {
    ReviewRecord r =
        new ReviewRecord(
            12, Stage.CUTOVER, Decision.REQUEST_CHANGES, "bob", "redo", "c", 5L, true, null, null);
    assertEquals("reviews/12-cutover-request-changes.json", ReviewFiles.path(r));
    byte[] content = ReviewFiles.render(r);
    assertEquals(r.withPath(ReviewFiles.path(r)), ReviewFiles.read(content, "f"));
    assertEquals(
        new String(content, StandardCharsets.UTF_8),
        new String(ReviewFiles.render(r), StandardCharsets.UTF_8));
  }

  @Test
  void incompleteFilesAreInvalidArtifacts() {
    MigrationException e =
        assertThrows(
            MigrationException.class,
            () -> ReviewFiles.read("{\"sequence\": 1}".getBytes(StandardCharsets.UTF_8), "f"));
    assertEquals(ErrorCode.INVALID_ARTIFACT, e.code());
    assertEquals(
        ErrorCode.INVALID_ARTIFACT,
        assertThrows(
                MigrationException.class,
                () -> ReviewFiles.read("nope".getBytes(StandardCharsets.UTF_8), "f"))
            .code());
  }

  @Test
  void reviewerRolesAreSafeGitIdentities() {
    assertEquals("reviewer:alice", EvidenceService.reviewerRole(" alice "));
    assertEquals("reviewer:unknown", EvidenceService.reviewerRole(null));
    assertEquals("reviewer:a-b-c", EvidenceService.reviewerRole("a<b>\nc"));
  }
}
