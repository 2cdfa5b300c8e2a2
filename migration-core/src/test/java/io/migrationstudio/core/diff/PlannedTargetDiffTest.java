package io.migrationstudio.core.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.Fixtures;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.schema.ConsumerInfo;
import io.migrationstudio.core.schema.Inventory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Mapping stage's diff: source schema → the target mapping.yaml plans, consumers named. */
class PlannedTargetDiffTest {
  private static final PostgresDialect PG = new PostgresDialect();

  private static String summary(DiffReport r) {
    StringBuilder sb = new StringBuilder();
    r.changes()
        .forEach(
            c ->
                sb.append(c.impact().label())
                    .append(" | ")
                    .append(c.object())
                    .append(" | ")
                    .append(c.change())
                    .append('\n'));
    return sb.toString();
  }

  @Test
  void identityNamingPlansTheSourceSchemaExceptWhatTheMappingLeavesOut() {
    Inventory inv = Fixtures.chinookLike(List.of("Artist", "Album"));
    MappingDocument mapping = new MappingGenerator().generate(inv, Fixtures.spec("identity", null));
    DiffReport r = PlannedTargetDiff.of(inv, mapping, PG);
    String found = summary(r);
    // the one planned change: the serial's nextval default becomes an identity on the target;
    // tables, keys, indexes and the CHECK (carried PostgreSQL -> PostgreSQL) are unchanged
    assertEquals(
        "compatible | column Artist.ArtistId | default nextval('\"Artist_ArtistId_seq\"'::regclass)"
            + " → null\n",
        found);
    assertFalse(r.breaking());
    assertTrue(r.changes().stream().allMatch(c -> !c.steps().isEmpty()), "each has its DDL");
  }

  @Test
  void renamedTablesBreakTheirReadersAndTheSampledConsumersAreNamed() {
    Inventory inv =
        Fixtures.chinookLike(List.of("Artist", "Album"))
            .withConsumers(List.of(new ConsumerInfo("billing", "app", "10.0.0.7", 2, "idle")));
    MappingDocument mapping =
        new MappingGenerator().generate(inv, Fixtures.spec("snake_case", null));
    DiffReport r = PlannedTargetDiff.of(inv, mapping, PG);
    assertTrue(r.breaking(), summary(r));
    assertTrue(r.forward().stream().anyMatch(s -> s.contains("\"album\"")), r.forward().toString());
    assertFalse(r.rollback().isEmpty());
    String md = PlannedTargetDiff.markdown(r, inv);
    assertTrue(md.contains("## Consumers affected"), md);
    assertTrue(md.contains("- `billing` as `app` from `10.0.0.7` (2 sessions)"), md);
    assertTrue(md.contains("## Rollback DDL"), md);
    String none = PlannedTargetDiff.markdown(r, Fixtures.chinookLike(List.of("Artist", "Album")));
    assertTrue(none.contains("no consumer was sampled"), none);
  }

  @Test
  void aCrossEngineTargetDoesNotCarryChecksViewsOrRoutines() {
    Inventory inv = Fixtures.chinookLike(List.of("Artist", "Album"));
    Inventory maria =
        new Inventory(
            "mariadb",
            inv.serverVersion(),
            inv.database(),
            inv.schema(),
            inv.tables(),
            inv.views(),
            inv.sequences(),
            inv.loadOrder(),
            inv.cycles());
    MappingDocument mapping = new MappingGenerator().generate(inv, Fixtures.spec("identity", null));
    DiffSchema planned = PlannedTargetDiff.plannedTarget(maria, mapping, PG);
    assertEquals(List.of(), planned.tables().get("Album").checks());
    DiffSchema same = PlannedTargetDiff.plannedTarget(inv, mapping, PG);
    assertEquals(1, same.tables().get("Album").checks().size());
  }
}
