package io.migrationstudio.core.review;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.Fixtures;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PostgreSQL → PostgreSQL: columns of user-defined types (enum, domain, composite, range, arrays of
 * them) and of base types the catalogue has no canonical type for (tsvector) map as themselves and
 * pass the compatibility review, whose dry run creates the types on the target first.
 */
@ExtendWith(PostgresExtension.class)
class UserTypesReviewIT {
  private static final PostgresDialect PG = new PostgresDialect();

  @Test
  void columnsOfUserDefinedTypesPassTheReviewBetweenPostgresServers(
      TestDatabase source, TestDatabase target) throws Exception {
    source.execute(
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
        "CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901)",
        "CREATE TYPE point3 AS (x double precision, y double precision)",
        "CREATE TYPE floatrange AS RANGE (subtype = float8)",
        "CREATE TABLE thing (id int PRIMARY KEY, m mood NOT NULL, y year, p point3,"
            + " r floatrange, ms mood[], doc tsvector)",
        "INSERT INTO thing VALUES (1, 'happy', 1999, ROW(1,2), '[1.5,2.5)', '{sad,ok}',"
            + " to_tsvector('a fine day'))");
    try (Connection src = source.connect();
        Connection dst = target.connect()) {
      Inventory inv = InventoryService.introspect(src, PG, "public", t -> true);
      MappingDocument mapping =
          new MappingGenerator().generate(inv, Fixtures.spec("identity", null));
      StageOutput out =
          new CompatibilityReviewer()
              .review(src, PG, "public", dst, inv, mapping, EvidenceMask.plain(List.of("*")));
      String md =
          new String(out.files().get(ArtifactPaths.COMPATIBILITY_MD), StandardCharsets.UTF_8);
      assertEquals(Verdict.PASS, out.verdict(), md);
    }
  }
}
