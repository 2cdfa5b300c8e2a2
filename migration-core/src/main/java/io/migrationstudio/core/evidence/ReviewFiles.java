package io.migrationstudio.core.evidence;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;

/**
 * Reviews as files on the branch: {@code reviews/NN-<stage>-<decision>.json}, the {@link
 * ReviewRecord} as byte-stable JSON with its own path filled in. Sequence numbers keep the files in
 * the order the workflow accepted the reviews.
 */
public final class ReviewFiles {
  private ReviewFiles() {}

  /** Where a review is written. */
  public static String path(ReviewRecord review) {
    check(review);
    return ArtifactPaths.review(review.sequence(), review.stage().key(), review.decision().name());
  }

  /** The file content: the record with {@code path} set, as JSON. */
  public static byte[] render(ReviewRecord review) {
    return Json.bytes(Json.write(review.withPath(path(review))));
  }

  /** Reads a review file; a malformed one is INVALID_ARTIFACT naming the file. */
  public static ReviewRecord read(byte[] content, String path) {
    ReviewRecord review = Json.read(content, ReviewRecord.class, path);
    if (review.stage() == null || review.decision() == null || review.sequence() < 1) {
      throw new MigrationException(
          ErrorCode.INVALID_ARTIFACT,
          path
              + " is not a complete review: it needs sequence >= 1, stage and decision. Restore"
              + " the file from the branch history.");
    }
    return review;
  }

  /** Whether a branch path is a review file. */
  public static boolean isReviewFile(String path) {
    return path.startsWith(ArtifactPaths.REVIEWS_DIR + "/") && path.endsWith(".json");
  }

  private static void check(ReviewRecord review) {
    if (review == null
        || review.stage() == null
        || review.decision() == null
        || review.sequence() < 1) {
      throw new MigrationException(
          ErrorCode.INTERNAL,
          "a review needs sequence >= 1, a stage and a decision to be recorded, got " + review);
    }
  }
}
