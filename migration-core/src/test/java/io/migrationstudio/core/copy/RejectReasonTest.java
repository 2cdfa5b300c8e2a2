package io.migrationstudio.core.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.KeyConstraint;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A chunk over {@code migrate.reject_limit} fails with a message that run.{json,md}, the status and
 * PULL_REQUEST.md commit: the rejected value it quotes is masked (issue 12 item 8), the names of
 * the table, columns and keys are kept. Before, the reason was concatenated as it was: {@code value
 * 'astrid@apple.at'}, the zero date and the invalid bytes reached git.
 */
class RejectReasonTest {
  private static final TableMapping CUSTOMER =
      new TableMapping(
          "Customer",
          "customer",
          null,
          List.of("customer_id"),
          List.of(column("CustomerId", "customer_id"), column("Email", "email")),
          List.of(new KeyConstraint("customer_email_key", List.of("email"))),
          null,
          null);

  @Test
  void quotedValuesAndBytesAreMaskedNamesKept() {
    assertEquals(
        "column email: value 'xxxxxx@xxxxx.xx' cannot be represented for target type integer",
        RejectReason.masked(
            CUSTOMER,
            "column email: value 'astrid@apple.at' cannot be represented for target type integer"));
    assertEquals(
        "SQLState 22P02: invalid input syntax for type integer: \"xxxx-xx-xxxxx\"",
        RejectReason.masked(
            CUSTOMER, "SQLState 22P02: invalid input syntax for type integer: \"call-me-maybe\""));
    assertEquals(
        "column email holds bytes that are not valid UTF-8 (<3 bytes>, first invalid byte at"
            + " offset 0)",
        RejectReason.masked(
            CUSTOMER,
            "column email holds bytes that are not valid UTF-8 (\\xeda080, first invalid byte at"
                + " offset 0)"));
    assertEquals(
        "duplicate key value violates unique constraint \"customer_email_key\"",
        RejectReason.masked(
            CUSTOMER, "duplicate key value violates unique constraint \"customer_email_key\""));
  }

  @Test
  void keyValuesInAServerDetailAreMasked() {
    assertEquals(
        "duplicate key value violates unique constraint \"customer_email_key\"  Detail: Key"
            + " (email)=(xxxxxx@xxxxx.xx) already exists.",
        RejectReason.masked(
            CUSTOMER,
            "duplicate key value violates unique constraint \"customer_email_key\"  Detail: Key"
                + " (email)=(astrid@apple.at) already exists."));
    assertEquals(
        "insert or update violates foreign key constraint  Detail: Key (customer_id, email)=(##,"
            + " xxxxxx@xxxxx.xx) is not present in table \"customer\".",
        RejectReason.masked(
            CUSTOMER,
            "insert or update violates foreign key constraint  Detail: Key (customer_id, email)=(42,"
                + " astrid@apple.at) is not present in table \"customer\"."));
  }

  private static ColumnMapping column(String source, String target) {
    return ColumnMapping.builder()
        .source(source)
        .target(target)
        .disposition(Disposition.MAP)
        .sourceType("text")
        .type("text")
        .canonical(CanonicalType.TEXT)
        .nullable(true)
        .build();
  }
}
