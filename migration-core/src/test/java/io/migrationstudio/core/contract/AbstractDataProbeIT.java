package io.migrationstudio.core.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.dialect.DataProbe.Anomaly;
import io.migrationstudio.core.dialect.DataProbe.Sample;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.schema.TableInfo;
import java.math.BigInteger;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The data probe's contract, run against every source engine by one subclass each (which supplies
 * the databases and asserts what only its engine answers).
 *
 * <p>The planted database holds, in the engine's own DDL:
 *
 * <ul>
 *   <li>{@link #plantedTable()} with key {@code "Row Id"} 1 to 9 and more, {@code "When"} (a date
 *       column: zero dates in rows 2, 4, 5, 6, 7 and 8 where the engine can store them), {@code
 *       "Note"} (text), and {@code "Big"} above the signed 64-bit maximum in rows 2 and 5 only;
 *   <li>{@code people (id, email unique, case-sensitive)}: Bob, bob, alice, ALICE, carol, aLiCe;
 *   <li>{@code codes (tenant, code, unique together)}: (1, X), (1, x), (2, X), (2, y);
 *   <li>{@code "Empty One"}, an empty table.
 * </ul>
 */
public abstract class AbstractDataProbeIT {
  protected static final String KEY = "Row Id";
  protected static final BigInteger SIGNED_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  /** The engine's name, as its dialect and probe report it. */
  protected abstract String engine();

  /** A database with the planted anomalies described on this class. */
  protected abstract EngineDb planted() throws Exception;

  /** The planted table's name: quote characters, a space, unicode and a reserved word. */
  protected abstract String plantedTable();

  /** A database holding Chinook as the engine's sample script creates it. */
  protected abstract EngineDb chinook() throws Exception;

  /** A Chinook table or column name as this engine's sample spells it (PascalCase by default). */
  protected String chinookName(String pascalCase) {
    return pascalCase;
  }

  /** What only this engine answers on the planted database (NUL bytes, collation, extensions). */
  protected abstract void assertEngineAnswers(DataProbe probe) throws Exception;

  protected DataProbe probe(Connection c, EngineDb db) {
    assertEquals(engine(), db.dialect().name());
    return db.dialect().dataProbe(c, db.schema()).orElseThrow();
  }

  @Test
  public void everyCheckFindsThePlantedAnomaliesWithCountsAndOrderedKeys() throws Exception {
    EngineDb db = planted();
    String table = plantedTable();
    try (Connection c = db.connect()) {
      DataProbe p = probe(c, db);
      assertEquals(engine(), p.engine());

      Sample zero = p.zeroDates(table, "When", List.of(KEY));
      if (p.cannotHold(Anomaly.ZERO_DATE).isPresent()) {
        assertEquals(Sample.NONE, zero, "an engine that cannot hold zero dates finds none");
      } else {
        assertEquals(new Sample(6, List.of("2", "4", "5", "6", "7")), zero);
      }
      assertEquals(
          new Sample(2, List.of("2", "5")), p.valuesAbove(table, "Big", SIGNED_MAX, List.of(KEY)));
      assertEquals(
          new Sample(5, List.of("alice", "bob")),
          p.caseInsensitiveDuplicates("people", List.of("email"), List.of("email")));
      assertEquals(
          new Sample(2, List.of("1, x")),
          p.caseInsensitiveDuplicates("codes", List.of("tenant", "code"), List.of("code")));
      assertEquals(List.of(table, "codes", "people"), p.nonEmptyTables());
      assertEngineAnswers(p);
    }
  }

  @Test
  public void cleanChinookHasNoAnomalies() throws Exception {
    EngineDb chinook = chinook();
    Set<CanonicalType> dates =
        Set.of(CanonicalType.DATE, CanonicalType.TIMESTAMP, CanonicalType.TIMESTAMPTZ);
    try (Connection c = chinook.connect()) {
      Inventory inv =
          InventoryService.introspect(c, chinook.dialect(), chinook.schema(), t -> true);
      DataProbe p = probe(c, chinook);
      int texts = 0;
      int dateColumns = 0;
      int ints = 0;
      List<String> tables = new ArrayList<>();
      for (TableInfo t : inv.tables()) {
        tables.add(t.name());
        List<String> keys = t.primaryKey().columns();
        for (Column col : t.columns()) {
          String at = t.name() + "." + col.name();
          if (col.type().isText()) {
            texts++;
            assertEquals(Sample.NONE, p.nulBytes(t.name(), col.name(), keys), at);
          } else if (dates.contains(col.type())) {
            dateColumns++;
            assertEquals(Sample.NONE, p.zeroDates(t.name(), col.name(), keys), at);
          } else if (col.type().isInteger()) {
            ints++;
            assertEquals(Sample.NONE, p.valuesAbove(t.name(), col.name(), SIGNED_MAX, keys), at);
          }
        }
      }
      assertTrue(
          texts > 20 && dateColumns >= 3 && ints > 10, texts + "/" + dateColumns + "/" + ints);
      String name = chinookName("Name");
      for (String t : List.of("Genre", "MediaType", "Playlist")) {
        assertEquals(
            Sample.NONE,
            p.caseInsensitiveDuplicates(chinookName(t), List.of(name), List.of(name)),
            t + ": Playlist names repeat, but exactly, which is no case collision");
      }
      assertEquals(tables.stream().sorted().toList(), p.nonEmptyTables());
      assertEquals(11, p.nonEmptyTables().size());
    }
  }
}
