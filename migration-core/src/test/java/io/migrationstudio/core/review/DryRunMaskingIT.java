package io.migrationstudio.core.review;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.Fixtures;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import io.migrationstudio.testkit.TestMariaDb;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * dry-run.md publishes no source value unless the spec says so: by default names, e-mails, phones,
 * dates, amounts and binary values appear only as their shape (binary as its length), on the source
 * side and the target side; a column listed under {@code mapping.evidence.plain} shows its values,
 * and a listed table shows every column, binary as hex, never as raw bytes.
 */
@ExtendWith({PostgresExtension.class, MariaDbExtension.class})
class DryRunMaskingIT {
  private static final PostgresDialect PG = new PostgresDialect();

  private static final List<String> SECRETS =
      List.of(
          "Leonie Köhler",
          "leonekohler@surfeu.de",
          "+49 0711 2842222",
          "1987-06-05",
          "48213.75",
          "Astrid Gruber",
          "astrid.gruber@apple.at");

  @Test
  void rowsAreMaskedUnlessTheSpecListsThemPlain(TestDatabase db) throws Exception {
    db.execute(
        "CREATE TABLE customer (id int PRIMARY KEY, name text, email varchar(60), phone text,"
            + " born date, salary numeric(10,2), photo bytea)",
        "INSERT INTO customer VALUES"
            + " (1, 'Leonie Köhler', 'leonekohler@surfeu.de', '+49 0711 2842222', '1987-06-05',"
            + " 48213.75, '\\xdeadbeef4c656f6e6965'::bytea),"
            + " (2, 'Astrid Gruber', 'astrid.gruber@apple.at', NULL, NULL, NULL, NULL)",
        "CREATE TABLE badge (id int PRIMARY KEY, code text, img bytea)",
        "INSERT INTO badge VALUES (7, 'gold-star', '\\x00ff41'::bytea)");
    try (Connection src = db.connect()) {
      Inventory inv = InventoryService.introspect(src, PG, "public", t -> true);
      MappingDocument mapping =
          new MappingGenerator().generate(inv, Fixtures.spec("identity", null));
      CompatibilityReviewer reviewer = new CompatibilityReviewer();

      String masked = dryRun(reviewer.review(src, PG, "public", null, inv, mapping));
      for (String secret : SECRETS) {
        assertFalse(masked.contains(secret), "masked dry run shows '" + secret + "':\n" + masked);
      }
      for (String part :
          List.of("Leonie", "surfeu", "2842222", "deadbeef", "gold-star", "00ff41")) {
        assertFalse(masked.contains(part), part + " in:\n" + masked);
      }
      assertFalse(masked.contains("Leonie"), "raw bytes of the binary column decoded as text");
      assertTrue(masked.contains("| xxxxxxxxxxx@xxxxxx.xx |"), masked);
      assertTrue(masked.contains("| +## #### ####### |"), masked);
      assertTrue(masked.contains("| ####-##-## |"), masked);
      assertTrue(masked.contains("| #####.## |"), masked);
      assertTrue(masked.contains("| <10 bytes> |"), masked);

      EvidenceMask plain = EvidenceMask.plain(List.of("customer.email", "badge"));
      String shown = dryRun(reviewer.review(src, PG, "public", null, inv, mapping, plain));
      assertTrue(shown.contains("leonekohler@surfeu.de"), shown);
      assertTrue(shown.contains("astrid.gruber@apple.at"), shown);
      assertFalse(shown.contains("Leonie Köhler"), "the name column is not listed:\n" + shown);
      assertFalse(shown.contains("48213.75"), shown);
      assertTrue(
          shown.contains("| 7 | gold-star | \\\\x00ff41 |"),
          "a listed table, binary as hex:\n" + shown);
    }
  }

  @Test
  void mariaDbBinaryIsNeverWrittenRaw(TestMariaDb maria) throws Exception {
    maria.execute(
        "CREATE TABLE contact (id int PRIMARY KEY, email varchar(60), avatar blob)",
        "INSERT INTO contact VALUES (1, 'frank.harris@google.com', X'89504E470D0A1A0A4869')",
        // tinyint(1) becomes boolean: 57 is quarantined, and the reason quotes the value
        "CREATE TABLE flag (id int PRIMARY KEY, ok tinyint(1))",
        "INSERT INTO flag VALUES (1, 57)");
    Dialect source = Dialects.forUrl(maria.jdbcUrl());
    try (Connection src = maria.connect()) {
      Inventory inv = InventoryService.introspect(src, source, maria.name(), t -> true);
      MappingDocument mapping =
          MappingLoader.load(
              MappingLoader.renderBytes(
                  io.migrationstudio.core.copy.TestMappings.mariaDbIdentity(maria, src, t -> true)),
              inv);
      CompatibilityReviewer reviewer = new CompatibilityReviewer();
      String masked = dryRun(reviewer.review(src, source, maria.name(), null, inv, mapping));
      assertFalse(masked.contains("frank"), masked);
      assertFalse(masked.contains("PNG"), "raw bytes of the blob:\n" + masked);
      assertTrue(masked.contains("| <10 bytes> |"), masked);
      assertTrue(masked.contains("Migrate would quarantine row 1: "), masked);
      assertFalse(
          masked.contains("57"), "the quarantined value, in its cell or its reason:\n" + masked);
      assertTrue(masked.contains("'##'"), masked);

      String plain =
          dryRun(
              reviewer.review(
                  src,
                  source,
                  maria.name(),
                  null,
                  inv,
                  mapping,
                  EvidenceMask.plain(List.of("contact"))));
      assertTrue(plain.contains("frank.harris@google.com"), plain);
      assertFalse(plain.contains("PNG"), "raw bytes of the blob:\n" + plain);
      assertTrue(plain.contains("\\\\x89504e470d0a1a0a4869"), "hex:\n" + plain);
    }
  }

  private static String dryRun(StageOutput out) {
    return new String(out.files().get(ArtifactPaths.DRY_RUN_MD), UTF_8);
  }
}
