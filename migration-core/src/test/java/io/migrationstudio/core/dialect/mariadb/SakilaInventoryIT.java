package io.migrationstudio.core.dialect.mariadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.assess.ConsumerSampler;
import io.migrationstudio.core.schema.ConsumerInfo;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.RoutineInfo;
import io.migrationstudio.core.schema.TriggerInfo;
import io.migrationstudio.core.schema.ViewInfo;
import io.migrationstudio.testkit.MariaDbExtension;
import io.migrationstudio.testkit.MariaDbSamples;
import io.migrationstudio.testkit.TestMariaDb;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Sakila on MariaDB: its triggers, routines, views with dependencies, and its consumers. */
@ExtendWith(MariaDbExtension.class)
class SakilaInventoryIT {
  private final MariaDbDialect dialect = new MariaDbDialect();

  @Test
  void sakilaShowsTriggersRoutinesViewsAndConsumers(TestMariaDb sakila) throws Exception {
    MariaDbSamples.loadSakila(sakila);
    Inventory inv;
    try (Connection c = sakila.connect()) {
      inv = dialect.introspect(c, sakila.name(), n -> true);
    }

    // ON UPDATE CURRENT_TIMESTAMP: every last_update column of Sakila, as information_schema says
    List<String> onUpdate =
        inv.tables().stream()
            .flatMap(
                t ->
                    t.columns().stream()
                        .filter(col -> col.onUpdate() != null)
                        .map(col -> t.name() + "." + col.name() + " " + col.onUpdate()))
            .toList();
    assertEquals(
        sakila.queryLong(
            "SELECT count(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
                + " AND TABLE_NAME IN (SELECT TABLE_NAME FROM information_schema.TABLES WHERE"
                + " TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE')"
                + " AND lower(EXTRA) LIKE '%on update current_timestamp%'"),
        onUpdate.size());
    assertEquals(15, onUpdate.size(), onUpdate.toString());
    assertTrue(
        onUpdate.stream().allMatch(o -> o.endsWith(".last_update current_timestamp()")),
        onUpdate.toString());
    assertTrue(onUpdate.contains("film.last_update current_timestamp()"), onUpdate.toString());
    assertFalse(onUpdate.contains("payment.payment_date current_timestamp()"));

    // carried through inventory.json into the named risk, with the trigger to write
    Inventory fromJson =
        io.migrationstudio.core.report.Json.read(
            io.migrationstudio.core.report.Json.bytes(
                io.migrationstudio.core.report.Json.write(inv)),
            Inventory.class,
            "inventory.json");
    io.migrationstudio.contracts.spec.MigrationSpec spec =
        io.migrationstudio.core.spec.SpecLoader.parse(
            "id: sakila\nsource: { url: \""
                + sakila.jdbcUrl()
                + "\", user: root }\ntarget: { url: \"jdbc:postgresql://localhost:1/x\" }\n");
    List<io.migrationstudio.core.assess.Risk> risks =
        new io.migrationstudio.core.assess.RiskAnalyzer()
            .risks(fromJson, spec).stream()
                .filter(r -> r.key().equals("on-update-current-timestamp"))
                .toList();
    assertEquals(
        onUpdate.stream().map(o -> o.substring(0, o.indexOf(' '))).sorted().toList(),
        risks.stream().flatMap(r -> r.objects().stream()).sorted().toList());
    io.migrationstudio.core.assess.Risk film =
        risks.stream()
            .filter(r -> r.objects().equals(List.of("film.last_update")))
            .findFirst()
            .orElseThrow();
    assertTrue(
        film.mitigation().contains("trigger film_last_update_on_update BEFORE UPDATE ON film"),
        film.mitigation());
    assertTrue(
        film.mitigation().contains("NEW.last_update := current_timestamp;"), film.mitigation());

    assertEquals(
        List.of(
            "customer.customer_create_date",
            "film.del_film",
            "film.ins_film",
            "film.upd_film",
            "payment.payment_date",
            "rental.rental_date"),
        inv.triggers().stream().map(t -> t.table() + "." + t.name()).toList());
    TriggerInfo insFilm = inv.triggers().get(2);
    assertEquals("AFTER", insFilm.timing());
    assertEquals("INSERT", insFilm.events());
    assertEquals("ROW", insFilm.level());
    assertTrue(insFilm.definition().startsWith("CREATE TRIGGER `ins_film` AFTER INSERT ON `film`"));

    assertEquals(
        List.of(
            "film_in_stock procedure",
            "film_not_in_stock procedure",
            "get_customer_balance function",
            "inventory_held_by_customer function",
            "inventory_in_stock function",
            "rewards_report procedure"),
        inv.routines().stream().map(r -> r.name() + " " + r.kind()).toList());
    RoutineInfo balance = inv.routines().get(2);
    assertEquals("decimal(5,2)", balance.returns());
    assertEquals("IN `p_customer_id` int(11), IN `p_effective_date` datetime", balance.arguments());
    assertTrue(balance.definition().contains("BEGIN"));
    assertTrue(inv.types().isEmpty(), "MySQL has no user-defined types");

    assertEquals(
        sakila.queryLong(
            "SELECT count(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()"),
        inv.views().size());
    ViewInfo actorInfo =
        inv.views().stream().filter(v -> v.name().equals("actor_info")).findFirst().orElseThrow();
    assertEquals(
        List.of("actor", "category", "film", "film_actor", "film_category"), actorInfo.dependsOn());

    try (Connection studio = sakila.connect();
        Connection app = sakila.connect()) {
      // the server shows a new session as Query until its thread has finished the session set-up
      // the driver sends at connect (time zone, read-only): look until it is idle, for 5 s at most
      List<ConsumerInfo> consumers =
          ConsumerSampler.sample(dialect, studio, sakila.name(), Duration.ZERO);
      for (int i = 0;
          i < 50 && consumers.size() == 1 && !"Sleep".equals(consumers.get(0).state());
          i++) {
        Thread.sleep(100);
        consumers = ConsumerSampler.sample(dialect, studio, sakila.name(), Duration.ZERO);
      }
      assertEquals(1, consumers.size(), "the other connection, not the studio's: " + consumers);
      assertEquals(sakila.user(), consumers.get(0).user());
      assertEquals("Sleep", consumers.get(0).state());
      assertTrue(app.isValid(1));

      // the spec's consumer window: 3 looks over 0.4 s wait out the window and still see the app
      long start = System.nanoTime();
      List<ConsumerInfo> windowed =
          ConsumerSampler.sample(
              dialect,
              studio,
              sakila.name(),
              new io.migrationstudio.contracts.spec.ConsumerWindow("PT0.4S", 3));
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      assertTrue(elapsedMs >= 400, "3 looks span the 0.4 s window, took " + elapsedMs + " ms");
      assertEquals(consumers, windowed);
    }
  }
}
