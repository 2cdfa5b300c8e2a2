package io.migrationstudio.core.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.core.dialect.postgres.PostgresDialect;
import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.Disposition;
import io.migrationstudio.core.schema.CanonicalType;
import java.util.List;
import org.junit.jupiter.api.Test;

class ColumnAggregatesTest {
  private static ColumnMapping column(String name, String type, CanonicalType canonical) {
    return ColumnMapping.builder()
        .source(name)
        .target(name)
        .disposition(Disposition.MAP)
        .sourceType(type)
        .type(type)
        .canonical(canonical)
        .nullable(true)
        .build();
  }

  @Test
  void eachTypeGetsOnlyTheAggregatesThatMeanSomethingForIt() {
    PostgresDialect pg = new PostgresDialect();
    List<ColumnMapping> columns =
        List.of(
            column("Größe \"x\"", "double precision", CanonicalType.DOUBLE),
            column("select", "text", CanonicalType.TEXT),
            column("flag", "boolean", CanonicalType.BOOLEAN));
    List<String> exprs = columns.stream().map(c -> pg.quote(c.target())).toList();
    assertEquals(
        "SELECT count(*), count(*) - count(\"Größe \"\"x\"\"\"), CAST(min(\"Größe \"\"x\"\"\") AS"
            + " text), CAST(max(\"Größe \"\"x\"\"\") AS text), CAST(sum(CAST(\"Größe \"\"x\"\"\" AS"
            + " numeric)) AS text), NULL, count(*) - count(\"select\"), CAST(min(\"select\") AS"
            + " text), CAST(max(\"select\") AS text), NULL, CAST(sum(length(\"select\")) AS text),"
            + " count(*) - count(\"flag\"), NULL, NULL, NULL, NULL FROM t",
        ColumnAggregates.query(columns, exprs, "t"));
  }

  @Test
  void differingNamesEveryAggregateThatDiffers() {
    ValidationReport.Aggregate a = new ValidationReport.Aggregate(3, 1, "a", "z", null, "7");
    assertEquals(List.of(), ColumnAggregates.differing(a, a));
    assertEquals(
        List.of("nulls", "min", "length_sum"),
        ColumnAggregates.differing(a, new ValidationReport.Aggregate(3, 0, "", "z", null, "8")));
    assertEquals(
        List.of("count", "max", "sum"),
        ColumnAggregates.differing(a, new ValidationReport.Aggregate(4, 1, "a", "zz", "1", "7")));
  }
}
