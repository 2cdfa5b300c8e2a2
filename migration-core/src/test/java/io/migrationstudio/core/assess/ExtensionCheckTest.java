package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.dialect.DataProbe;
import io.migrationstudio.core.schema.Inventory;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The extension check's classification on given extension lists (one server holds both test
 * databases, so a target without an extension the source has cannot be made real here; {@code
 * RiskChecksIT} covers the real lists and the older version).
 */
class ExtensionCheckTest {

  /** Answers {@link DataProbe#extensions} only. */
  private record Extensions(List<DataProbe.Extension> list) implements DataProbe {
    @Override
    public String engine() {
      return "postgresql";
    }

    @Override
    public Optional<List<Extension>> extensions() {
      return Optional.of(list);
    }

    @Override
    public Optional<String> cannotHold(Anomaly anomaly) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Sample nulBytes(String table, String column, List<String> keyColumns) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Sample zeroDates(String table, String column, List<String> keyColumns) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Sample valuesAbove(
        String table, String column, BigInteger limit, List<String> keyColumns) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Sample caseInsensitiveDuplicates(
        String table, List<String> keyColumns, List<String> textColumns) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<String> nonEmptyTables() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<String> defaultCollation() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<Boolean> hasExtension(String name) {
      throw new UnsupportedOperationException();
    }
  }

  private static List<Risk> risks(List<DataProbe.Extension> source, List<DataProbe.Extension> t) {
    Inventory inv =
        new Inventory("postgresql", "17", "db", "public", List.of(), List.of(), null, null, null);
    RiskContext c =
        RiskContext.of(inv, RiskAnalyzerTest.PG_TO_PG)
            .withSource(new Extensions(source), null)
            .withTarget(new Extensions(t), null);
    return CatalogChecksTest.run("extension-missing-on-target", c);
  }

  @Test
  void anExtensionTheTargetDoesNotOfferIsAHighRiskWithThePackageAndCreateExtension() {
    List<Risk> r =
        risks(
            List.of(
                new DataProbe.Extension("plpgsql", "1.0", "1.0"),
                new DataProbe.Extension("vector", "0.8.0", "0.8.0"),
                new DataProbe.Extension("hstore", null, "1.8")),
            List.of(new DataProbe.Extension("plpgsql", "1.0", "1.0")));
    assertEquals(1, r.size(), r.toString());
    assertEquals("extension-missing-on-target/extension vector", r.get(0).id());
    assertEquals(Risk.Severity.HIGH, r.get(0).severity());
    assertTrue(r.get(0).detail().contains("vector 0.8.0"), r.get(0).detail());
    assertTrue(r.get(0).mitigation().contains("CREATE EXTENSION vector"), r.get(0).mitigation());
  }

  @Test
  void versionsCompareByTheirNumbers() {
    assertTrue(ObjectChecks.olderVersion("1.9", "1.10"));
    assertFalse(ObjectChecks.olderVersion("1.10", "1.9"));
    assertFalse(ObjectChecks.olderVersion("1.6", "1.6"));
    assertTrue(ObjectChecks.olderVersion("0.7.4", "0.8.0"));
    assertFalse(ObjectChecks.olderVersion("unpackaged", "1.0"));
    List<Risk> r =
        risks(
            List.of(new DataProbe.Extension("pg_trgm", "1.6", "1.6")),
            List.of(new DataProbe.Extension("pg_trgm", null, "1.5")));
    assertEquals(Risk.Severity.LOW, r.get(0).severity());
    assertTrue(r.get(0).detail().contains("would create 1.5"), r.get(0).detail());
  }
}
