package io.migrationstudio.core.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoadOrderTest {

  /** A table whose FKs are given as "constraint:refTable". */
  static TableInfo table(String name, String... fks) {
    List<ForeignKey> keys = new ArrayList<>();
    for (String fk : fks) {
      String[] p = fk.split(":");
      keys.add(new ForeignKey(p[0], List.of("c"), p[1], List.of("id"), null, null));
    }
    Column id = Column.builder("id", "integer", CanonicalType.INTEGER).position(1).build();
    return new TableInfo(
        "public",
        name,
        List.of(id),
        null,
        null,
        keys,
        null,
        null,
        0,
        0,
        null,
        List.of(),
        null,
        List.of(),
        false,
        null,
        null);
  }

  @Test
  void parentsComeFirstWithNameTieBreakAndWaves() {
    LoadOrder.Plan plan =
        LoadOrder.compute(
            List.of(
                table("track", "track_album:album", "track_genre:genre"),
                table("album", "album_artist:artist"),
                table("genre"),
                table("artist"),
                table("playlist_track", "pt_track:track", "pt_playlist:playlist"),
                table("playlist")));
    assertEquals(
        List.of("artist", "album", "genre", "playlist", "track", "playlist_track"), plan.order());
    assertEquals(
        List.of(
            List.of("artist", "genre", "playlist"),
            List.of("album"),
            List.of("track"),
            List.of("playlist_track")),
        plan.waves());
    assertTrue(plan.cycles().isEmpty());
    assertTrue(plan.selfReferences().isEmpty());
  }

  @Test
  void threeTableCycleIsNamedWithTheFkToDefer() {
    LoadOrder.Plan plan =
        LoadOrder.compute(
            List.of(
                table("a", "a_b:b"),
                table("b", "b_c:c"),
                table("c", "c_a:a"),
                table("d", "d_a:a"),
                table("root")));
    assertEquals(1, plan.cycles().size());
    LoadOrder.Cycle cycle = plan.cycles().get(0);
    assertEquals(List.of("a", "b", "c"), cycle.tables());
    assertEquals(3, cycle.foreignKeys().size());
    // every table has one open parent: the first by name (a) is placed first, its FK deferred
    assertEquals(List.of(new LoadOrder.FkRef("a", "a_b", "b")), cycle.deferred());
    assertEquals(List.of("a", "c", "b", "d", "root"), plan.order());
    assertEquals(List.of(List.of("a", "root"), List.of("c", "d"), List.of("b")), plan.waves());
    assertEquals(
        List.of(List.of("a.a_b -> b (deferred)", "b.b_c -> c", "c.c_a -> a")),
        plan.describedCycles());
  }

  @Test
  void selfReferenceIsReportedButDoesNotBlock() {
    LoadOrder.Plan plan =
        LoadOrder.compute(
            List.of(
                table("employee", "reports_to:employee"),
                table("customer", "support_rep:employee")));
    assertEquals(List.of("employee", "customer"), plan.order());
    assertTrue(plan.cycles().isEmpty());
    assertEquals(
        List.of(new LoadOrder.FkRef("employee", "reports_to", "employee")), plan.selfReferences());
  }

  @Test
  void twoFksBetweenTheSameTablesAreBothDeferredWhenTheyCloseACycle() {
    LoadOrder.Plan plan =
        LoadOrder.compute(
            List.of(
                table("x", "x_y1:y", "x_y2:y"), table("y", "y_x:x"), table("outside", "o:gone")));
    LoadOrder.Cycle cycle = plan.cycles().get(0);
    assertEquals(List.of("x", "y"), cycle.tables());
    assertEquals(
        List.of(new LoadOrder.FkRef("x", "x_y1", "y"), new LoadOrder.FkRef("x", "x_y2", "y")),
        cycle.deferred());
    assertEquals(List.of("outside", "x", "y"), plan.order());
  }

  @Test
  void duplicateTableNamesAreRejected() {
    assertThrows(
        IllegalArgumentException.class, () -> LoadOrder.compute(List.of(table("a"), table("a"))));
  }

  /**
   * Property over random graphs: the order is a permutation, every kept FK points backwards, waves
   * are consistent, the result does not depend on the input order, and deep chains do not overflow
   * the stack.
   */
  @Test
  void randomGraphsGiveValidDeterministicOrders() {
    Random random = new Random(42);
    for (int round = 0; round < 300; round++) {
      int n = 1 + random.nextInt(12);
      List<TableInfo> tables = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        List<String> fks = new ArrayList<>();
        for (int j = 0; j < n; j++) {
          if (random.nextInt(5) == 0) {
            fks.add("fk_" + i + "_" + j + ":t" + j);
          }
        }
        tables.add(table("t" + i, fks.toArray(String[]::new)));
      }
      LoadOrder.Plan plan = LoadOrder.compute(tables);
      assertEquals(n, new HashSet<>(plan.order()).size());
      Set<LoadOrder.FkRef> deferred = new HashSet<>();
      plan.cycles().forEach(c -> deferred.addAll(c.deferred()));
      for (TableInfo t : tables) {
        for (ForeignKey fk : t.foreignKeys()) {
          LoadOrder.FkRef ref = new LoadOrder.FkRef(t.name(), fk.name(), fk.refTable());
          if (!fk.refTable().equals(t.name()) && !deferred.contains(ref)) {
            assertTrue(
                plan.order().indexOf(fk.refTable()) < plan.order().indexOf(t.name()),
                "parent after child: " + ref + " in " + plan.order());
            assertTrue(plan.waveOf(fk.refTable()) < plan.waveOf(t.name()));
          }
        }
      }
      List<TableInfo> shuffled = new ArrayList<>(tables);
      Collections.shuffle(shuffled, random);
      assertEquals(plan, LoadOrder.compute(shuffled));
    }
    List<TableInfo> chain = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      chain.add(table("c" + i, "f:c" + ((i + 1) % 5_000)));
    }
    LoadOrder.Plan ring = LoadOrder.compute(chain);
    assertEquals(1, ring.cycles().size());
    assertEquals(5_000, ring.order().size());
    assertEquals(Arrays.asList(1), List.of(ring.cycles().get(0).deferred().size()));
  }
}
