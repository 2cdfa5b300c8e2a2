package io.migrationstudio.core.dialect.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.copy.LoadFinisher;
import io.migrationstudio.core.copy.Loads;
import io.migrationstudio.core.copy.SchemaDump;
import io.migrationstudio.core.copy.TargetPreparer;
import io.migrationstudio.core.copy.TestMappings;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.StageOutput;
import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Pagila schema (as {@link PagilaInventoryIT#derivedPagila} loads it on PostgreSQL 17, without
 * pgvector) with a few rows in every table the materialized view reads, migrated PostgreSQL →
 * PostgreSQL: the normalised schema-only dumps ({@link SchemaDump}) of source and target are equal
 * but for the differences listed in {@link #ACCEPTED_SOURCE_ONLY} and {@link
 * #ACCEPTED_TARGET_ONLY}; every sequence's next value equals the source's; the materialized view
 * holds the same rows; the rows arrive as they are (no trigger rewrote them during the load) and
 * the {@code last_updated} triggers fire on the target afterwards; run.md names nothing as not
 * carried.
 */
@ExtendWith(PostgresExtension.class)
class PagilaSchemaCarryIT {
  /**
   * Lines only the source's dump holds: none ({@code film.length_hours}, a generated column,
   * arrives generated).
   */
  private static final List<String> ACCEPTED_SOURCE_ONLY = List.of();

  /** Lines only the target's dump holds: none. */
  private static final List<String> ACCEPTED_TARGET_ONLY = List.of();

  private static final String[] ROWS = {
    "SET session_replication_role = replica",
    "INSERT INTO language (name) VALUES ('English'), ('Italian')",
    "INSERT INTO category (name) VALUES ('Action'), ('Comedy')",
    "INSERT INTO film (title, description, release_year, language_id, length, rating,"
        + " special_features, fulltext, last_update) VALUES"
        + " ('ACADEMY DINOSAUR', 'An epic drama', 2006, 1, 86, 'PG', '{Trailers}',"
        + " to_tsvector('academy dinosaur'), '2022-02-15 10:00:00+00'),"
        + " ('ACE GOLDFINGER', 'A stunning story', 2006, 1, 48, 'G', NULL,"
        + " to_tsvector('ace goldfinger'), '2022-02-15 10:00:00+00')",
    "INSERT INTO film_category (film_id, category_id) VALUES (1, 1), (2, 2)",
    "INSERT INTO actor (first_name, last_name) VALUES ('PENELOPE', 'GUINESS'), ('NICK', 'WAHLBERG')",
    "INSERT INTO film_actor (actor_id, film_id) VALUES (1, 1), (2, 1), (2, 2)",
    "INSERT INTO country (country) VALUES ('Canada')",
    "INSERT INTO city (city, country_id) VALUES ('Lethbridge', 1)",
    "INSERT INTO address (address, district, city_id, phone) VALUES ('47 MySakila Drive',"
        + " 'Alberta', 1, ''), ('28 MySQL Boulevard', 'QLD', 1, '')",
    "INSERT INTO store (manager_staff_id, address_id) VALUES (1, 1)",
    "INSERT INTO staff (first_name, last_name, address_id, store_id, username) VALUES"
        + " ('Mike', 'Hillyer', 1, 1, 'Mike')",
    "INSERT INTO customer (store_id, first_name, last_name, address_id, active) VALUES"
        + " (1, 'MARY', 'SMITH', 2, 1), (1, 'PATRICIA', 'JOHNSON', 2, 1)",
    "INSERT INTO inventory (film_id, store_id) VALUES (1, 1), (2, 1)",
    "INSERT INTO rental (rental_date, inventory_id, customer_id, staff_id) VALUES"
        + " ('2022-01-24 22:53:30+00', 1, 1, 1), ('2022-03-01 10:00:00+00', 2, 2, 1)",
    "INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date) VALUES"
        + " (1, 1, 1, 2.99, '2022-01-25 00:00:00+00'), (2, 1, 2, 5.99, '2022-03-02 00:00:00+00'),"
        + " (1, 1, 1, 0.99, '2022-06-30 12:00:00+00')",
    "SET session_replication_role = DEFAULT",
    "REFRESH MATERIALIZED VIEW rental_by_category"
  };

  @Test
  void pagilaArrivesWholeOnAnotherPostgres(TestDatabase source, TestDatabase target)
      throws Exception {
    try (Connection c = source.connect();
        Statement s = c.createStatement()) {
      s.execute(PagilaInventoryIT.derivedPagila());
    }
    source.execute(ROWS);
    StageOutput run;
    try (Connection src = source.connect();
        Connection tgt = target.connect()) {
      MappingDocument mapping = TestMappings.identity(src, "public", "public");
      TargetPreparer.Prepared p = Loads.prepare(src, tgt, mapping, "pagila", 2);
      assertTrue(p.targetSchemaSql().contains("PARTITION OF"), "target-schema.sql");
      Loads.copyAll(src, tgt, mapping, p, "pagila");
      run = new LoadFinisher(Loads.PG).finish(src, Loads.PG, tgt, mapping, "pagila", 0L);
    }
    String md = new String(run.files().get(ArtifactPaths.RUN_MD), StandardCharsets.UTF_8);
    assertTrue(!md.contains("not created on the target"), md);

    List<String> before = dump(source);
    List<String> after = dump(target);
    List<String> sourceOnly = new ArrayList<>(before);
    sourceOnly.removeAll(after);
    List<String> targetOnly = new ArrayList<>(after);
    targetOnly.removeAll(before);
    assertEquals(ACCEPTED_SOURCE_ONLY, sourceOnly, "only on the source");
    assertEquals(ACCEPTED_TARGET_ONLY, targetOnly, "only on the target");
    assertTrue(before.size() > 500, "the dump holds the whole schema: " + before.size());
    assertTrue(
        before.contains(
            "column public.film.length_hours numeric(4,2) notnull=false generated"
                + " round(((length)::numeric / 60.0), 2)"),
        "the dump compares generated columns");

    for (String seq : rows(source, "SELECT sequencename FROM pg_sequences ORDER BY 1")) {
      String next = "SELECT nextval('public." + seq + "')";
      assertEquals(rows(source, next), rows(target, next), seq);
    }
    String mv = "SELECT * FROM rental_by_category ORDER BY category";
    assertEquals(2, rows(source, mv).size());
    assertEquals(rows(source, mv), rows(target, mv));
    String films = "SELECT film_id, title, fulltext, last_update FROM film ORDER BY film_id";
    assertEquals(rows(source, films), rows(target, films), "no trigger rewrote a row");
    String payments = "SELECT tableoid::regclass, * FROM payment ORDER BY payment_id";
    assertEquals(rows(source, payments), rows(target, payments));

    target.execute("UPDATE film SET title = 'ACADEMY DINOSAURS' WHERE film_id = 1");
    assertEquals(
        1,
        target.queryLong(
            "SELECT count(*) FROM film WHERE film_id = 1 AND last_update > now() - interval '1 h'"
                + " AND fulltext @@ to_tsquery('dinosaurs')"),
        "last_updated and film_fulltext_trigger fire on the target");
  }

  private static List<String> dump(TestDatabase db) throws SQLException {
    try (Connection c = db.connect()) {
      return SchemaDump.of(c, "public");
    }
  }

  private static List<String> rows(TestDatabase db, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          sb.append(i > 1 ? "|" : "").append(rs.getString(i));
        }
        out.add(sb.toString());
      }
    }
    return out;
  }
}
