package io.migrationstudio.core.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.CheckConstraint;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.TableInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Constraint names from an inventory: a catalogued name is the one dropped; a name an older {@code
 * inventory.json} does not record falls back to the derived one, and the change's note says so.
 */
class ConstraintNamesTest {
  private static final PostgresDialect PG = new PostgresDialect();

  private static Inventory inventory(List<ForeignKey> fks, List<CheckConstraint> checks) {
    Column id = Column.builder("id", "integer", CanonicalType.INTEGER).position(1).build();
    Column parent =
        Column.builder("parent_id", "integer", CanonicalType.INTEGER)
            .position(2)
            .nullable(true)
            .build();
    return new Inventory(
        "postgresql",
        "16.4",
        "d",
        "public",
        List.of(
            new TableInfo(
                "public",
                "t",
                List.of(id, parent),
                null,
                null,
                fks,
                checks,
                null,
                0,
                0,
                null,
                List.of(),
                null,
                List.of(),
                false,
                null,
                null)),
        null,
        null,
        List.of("t"),
        null);
  }

  @Test
  void aCataloguedNameIsDroppedAndAMissingOneIsDerivedWithANote() {
    DiffSchema before =
        DiffSchema.of(
            inventory(
                List.of(new ForeignKey(null, List.of("parent_id"), "p", List.of("id"), null, null)),
                List.of(new CheckConstraint("positive", "CHECK ((id > 0))"))));
    DiffSchema after = DiffSchema.of(inventory(List.of(), List.of()));
    List<SchemaDiff.Change> changes = SchemaDiff.compare(PG, before, after);
    SchemaDiff.Change check =
        changes.stream().filter(c -> c.object().startsWith("check")).findFirst().orElseThrow();
    assertEquals("check t.positive", check.object());
    assertEquals(
        List.of("ALTER TABLE \"t\" DROP CONSTRAINT \"positive\""), check.steps().get(0).forward());
    assertNull(check.note());
    SchemaDiff.Change fk =
        changes.stream().filter(c -> c.object().startsWith("foreign")).findFirst().orElseThrow();
    assertEquals(
        List.of("ALTER TABLE \"t\" DROP CONSTRAINT \"t_parent_id_fkey\""),
        fk.steps().get(0).forward());
    assertTrue(fk.note().contains("does not name this constraint"), String.valueOf(fk.note()));
  }
}
