package io.migrationstudio.core.mapping;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Chooses the PostgreSQL target type of a source column, one implementation per source {@link
 * Dialect} class (registered by the dialect's type, never by its name). Adding a source engine
 * means adding an implementation to {@link #of}; the generator never branches on the engine.
 */
public interface SourceTypeMapper {

  /** The dialect whose types this mapper reads. */
  Class<? extends Dialect> dialect();

  /**
   * The target of one column. {@code ownsSequence}: the inventory lists a sequence owned by this
   * column (a serial-style column whose default draws from it).
   */
  Target map(Column column, boolean ownsSequence);

  /**
   * The PostgreSQL access method of a secondary index built with the source's {@code method}, or
   * empty when the target has no equivalent and the index is left out of the mapping (the
   * assessment reports it, e.g. {@code fulltext-index}). By default the method carries over.
   */
  default Optional<String> indexMethod(String method) {
    return Optional.ofNullable(method);
  }

  /**
   * {@code mapped} (the column as {@link #map} typed it, no type rule applied) with what the target
   * column keeps of the source's definition beyond its type: a generation expression and a
   * collation, when the source engine's SQL means the same on the target. Called only when the
   * table's column names reach the target unchanged (the expression names them). By default nothing
   * more is kept.
   */
  default ColumnMapping carried(Column column, ColumnMapping mapped) {
    return mapped;
  }

  /** The target type of a column and how its value gets there. */
  record Target(
      String type,
      CanonicalType canonical,
      Disposition disposition,
      String defaultValue,
      boolean identity) {
    public Target {
      Objects.requireNonNull(type, "target type is required");
      Objects.requireNonNull(canonical, "canonical type is required");
      Objects.requireNonNull(disposition, "disposition is required");
    }
  }

  /** The mapper of a source dialect; a dialect without one is UNSUPPORTED_TYPE. */
  static SourceTypeMapper of(Dialect dialect) {
    List<SourceTypeMapper> all =
        List.of(new PostgresSourceTypes(), new MariaDbSourceTypes(), new SqliteSourceTypes());
    return all.stream()
        .filter(m -> m.dialect().isInstance(dialect))
        .findFirst()
        .orElseThrow(
            () ->
                new MigrationException(
                    ErrorCode.UNSUPPORTED_TYPE,
                    "no type mapping from source engine '"
                        + dialect.name()
                        + "' to PostgreSQL; supported source engines: "
                        + Dialects.all().stream()
                            .filter(d -> all.stream().anyMatch(m -> m.dialect().isInstance(d)))
                            .map(Dialect::name)
                            .toList()));
  }

  /**
   * The mapper of the source engine an inventory names ({@code Inventory.engine}, as {@code
   * Dialect.name()} spells it): its dialect's mapper, found through {@link Dialects#forName}.
   */
  static SourceTypeMapper forEngine(String engine) {
    return of(Dialects.forName(engine));
  }
}
