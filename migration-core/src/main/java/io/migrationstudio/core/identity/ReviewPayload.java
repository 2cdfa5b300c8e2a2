package io.migrationstudio.core.identity;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.workflow.Decision;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The exact bytes an approver signs: a few ASCII lines that name the migration, the stage, the
 * decision, the commit reviewed and the reviewer, each on its own line, ending in a newline. The
 * same review always gives the same bytes (no time, no comment, no spacing choices), so {@code
 * studio review --print-payload} prints what {@code ssh-keygen -Y sign -n migration-studio} must
 * sign, and a signature of one review verifies for no other migration, stage, decision, commit or
 * reviewer.
 *
 * <pre>
 *   migration-studio review v1
 *   migration: chinook-to-pg
 *   stage: mapping
 *   decision: APPROVE
 *   commit: 3f2a...(40 hex)
 *   reviewer: alice
 * </pre>
 */
public final class ReviewPayload {
  /** The SSHSIG namespace of review signatures ({@code ssh-keygen -Y sign -n ...}). */
  public static final String NAMESPACE = "migration-studio";

  static final String HEADER = "migration-studio review v1";
  private static final Pattern PRINTABLE = Pattern.compile("[\\x21-\\x7e]+");

  private ReviewPayload() {}

  /**
   * The payload text; refuses (IllegalArgumentException) values that could blur its lines: every
   * value must be printable ASCII without spaces.
   */
  public static String text(
      String migrationId, Stage stage, Decision decision, String commit, String reviewer) {
    if (stage == null || decision == null) {
      throw new IllegalArgumentException("a review to sign needs a stage and a decision");
    }
    return HEADER
        + "\nmigration: "
        + plain("migration id", migrationId)
        + "\nstage: "
        + stage.key()
        + "\ndecision: "
        + decision.name()
        + "\ncommit: "
        + plain("commit", commit)
        + "\nreviewer: "
        + plain("reviewer", reviewer)
        + "\n";
  }

  /** {@link #text} as the bytes signed. */
  public static byte[] bytes(
      String migrationId, Stage stage, Decision decision, String commit, String reviewer) {
    return text(migrationId, stage, decision, commit, reviewer).getBytes(StandardCharsets.US_ASCII);
  }

  private static String plain(String what, String value) {
    if (value == null || !PRINTABLE.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "the "
              + what
              + " '"
              + value
              + "' cannot be signed: it must be printable ASCII without spaces");
    }
    return value;
  }
}
