package io.migrationstudio.core.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.schema.CanonicalType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed validation report quotes no row value unless the spec lists it plain: the values of
 * a changed row, the min/max aggregates and the keys are masked, counts and sums stay, and a plain
 * column (named by its source name, while the report names target columns) is shown as it is.
 */
class MaskedReportTest {
  @Test
  void rowValuesAreMaskedAndPlainColumnsShown() {
    TableMapping customer =
        new TableMapping(
            "Customer",
            "customer",
            null,
            List.of("customer_id"),
            List.of(
                column("CustomerId", "customer_id"),
                column("Email", "email"),
                column("Phone", "phone")),
            null,
            null,
            null);
    MappingDocument mapping =
        new MappingDocument(
            1, "snake_case", "postgresql", "public", "public", List.of(customer), null);
    ValidationReport.TableValidation t =
        new ValidationReport.TableValidation(
            "Customer",
            "customer",
            2,
            2,
            0,
            0,
            1,
            1,
            1,
            "ledger",
            2,
            1,
            0,
            List.of(),
            List.of(
                new ValidationReport.Difference(
                    "changed",
                    "7",
                    List.of("email", "phone"),
                    List.of(
                        new ValidationReport.ValueDifference(
                            "email", "astrid.gruber@apple.at", "astrid@apple.at"),
                        new ValidationReport.ValueDifference(
                            "phone", "+43 01 5134505", "+43 01 5134506")))),
            List.of(
                new ValidationReport.ColumnAggregate(
                    "email",
                    new ValidationReport.Aggregate(2, 0, "a@b.at", "z@y.de", null, "12"),
                    new ValidationReport.Aggregate(2, 0, "a@b.at", "z@y.de", null, "12"),
                    List.of())),
            List.of(),
            Verdict.FAIL,
            "client",
            0,
            0,
            "seed",
            null,
            null);
    ValidationReport report = new ValidationReport("m", Verdict.FAIL, "seed", 2, List.of(t));

    ValidationReport.TableValidation masked =
        MaskedReport.of(report, mapping, EvidenceMask.masked()).tables().get(0);
    assertEquals("#", masked.differences().get(0).key(), "keys are source data too: masked");
    assertEquals(
        new ValidationReport.ValueDifference("email", "xxxxxx.xxxxxx@xxxxx.xx", "xxxxxx@xxxxx.xx"),
        masked.differences().get(0).values().get(0));
    assertEquals("x@x.xx", masked.aggregates().get(0).source().min());
    assertEquals("12", masked.aggregates().get(0).source().lengthSum());

    ValidationReport.TableValidation plain =
        MaskedReport.of(report, mapping, EvidenceMask.plain(List.of("Customer.Email")))
            .tables()
            .get(0);
    assertEquals("astrid.gruber@apple.at", plain.differences().get(0).values().get(0).source());
    assertEquals("+## ## #######", plain.differences().get(0).values().get(1).source());
    assertEquals(
        "7",
        MaskedReport.of(report, mapping, EvidenceMask.plain(List.of("Customer.CustomerId")))
            .tables()
            .get(0)
            .differences()
            .get(0)
            .key(),
        "a key column listed plain is shown");
  }

  @Test
  void compositeKeysAreMaskedPerColumnAndIntegrityExamplesToo() {
    TableMapping line =
        new TableMapping(
            "Line",
            "line",
            null,
            List.of("invoice_id", "code"),
            List.of(column("InvoiceId", "invoice_id"), column("Code", "code")),
            null,
            null,
            null);
    MappingDocument mapping =
        new MappingDocument(1, "snake_case", "postgresql", "public", "public", List.of(line), null);
    ValidationReport.TableValidation t =
        new ValidationReport.TableValidation(
            "Line",
            "line",
            2,
            3,
            0,
            1,
            0,
            1,
            1,
            "ledger",
            2,
            0,
            0,
            List.of(),
            List.of(new ValidationReport.Difference("extra", "12, AB-7", List.of())),
            List.of(),
            List.of(
                new ValidationReport.IntegrityCheck(
                    TargetIntegrity.DUPLICATE_KEY,
                    "primary key (invoice_id, code)",
                    1,
                    List.of("12, AB-7")),
                new ValidationReport.IntegrityCheck(
                    TargetIntegrity.MISSING_INDEX, "line", 1, List.of("line_code_idx")),
                new ValidationReport.IntegrityCheck(
                    TargetIntegrity.NULL_IN_NOT_NULL, "code", 1, List.of("13, a, b"))),
            Verdict.FAIL);
    ValidationReport report = new ValidationReport("m", Verdict.FAIL, "seed", 2, List.of(t));

    ValidationReport.TableValidation masked =
        MaskedReport.of(report, mapping, EvidenceMask.plain(List.of("Line.InvoiceId")))
            .tables()
            .get(0);
    assertEquals("12, xx-#", masked.differences().get(0).key());
    assertEquals(List.of("12, xx-#"), masked.integrity().get(0).examples());
    assertEquals(
        List.of("line_code_idx"), masked.integrity().get(1).examples(), "names, not values");
    assertEquals(
        List.of("##, x, x"),
        masked.integrity().get(2).examples(),
        "parts that cannot be told apart: masked whole");
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
