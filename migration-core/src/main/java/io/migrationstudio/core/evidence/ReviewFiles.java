package io.migrationstudio.core.evidence;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.activity.ReviewCheck;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.core.identity.ReviewPayload;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

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

  /**
   * As {@link #render(ReviewRecord)}; a verified signature adds {@code "signature": {principal,
   * fingerprint, sig, payload, allowed_signers}} naming the files committed next to the review.
   */
  public static byte[] render(ReviewRecord review, ReviewCheck signed) {
    if (signed == null || !signed.signed()) {
      return render(review);
    }
    ObjectNode node = Json.mapper().valueToTree(review.withPath(path(review)));
    ObjectNode sig = node.putObject("signature");
    sig.put("principal", signed.principal());
    sig.put("fingerprint", signed.fingerprint());
    sig.put("namespace", ReviewPayload.NAMESPACE);
    signatureFiles(review, signed).keySet().forEach(p -> sig.put(suffix(p), p));
    return Json.bytes(Json.write(node));
  }

  /**
   * The files of a verified signature: {@code <review>.sig}, {@code <review>.payload} and {@code
   * <review>.allowed_signers}, next to the review's JSON.
   */
  public static Map<String, byte[]> signatureFiles(ReviewRecord review, ReviewCheck signed) {
    String base = path(review).substring(0, path(review).length() - ".json".length());
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(base + ".sig", signed.signature().getBytes(StandardCharsets.US_ASCII));
    files.put(base + ".payload", signed.payload().getBytes(StandardCharsets.US_ASCII));
    files.put(base + ".allowed_signers", signed.allowedSigners().getBytes(StandardCharsets.UTF_8));
    return files;
  }

  private static String suffix(String path) {
    return path.substring(path.lastIndexOf('.') + 1);
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
