package io.migrationstudio.core.mapping;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Chooses the PostgreSQL target type of a source column, one implementation per source engine
 * (named as {@code Inventory.engine} names it). Adding MySQL or SQLite sources means adding an
 * implementation to {@link #ALL}; the generator never branches on the engine.
 */
public interface SourceTypeMapper {

  /** The engine this mapper reads, as {@code Dialect.name()} spells it. */
  String engine();

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

  List<SourceTypeMapper> ALL =
      List.of(new PostgresSourceTypes(), new MariaDbSourceTypes(), new SqliteSourceTypes());

  /** The mapper of a source engine; an engine without one is UNSUPPORTED_TYPE. */
  static SourceTypeMapper forEngine(String engine) {
    return ALL.stream()
        .filter(m -> m.engine().equalsIgnoreCase(engine == null ? "" : engine))
        .findFirst()
        .orElseThrow(
            () ->
                new MigrationException(
                    ErrorCode.UNSUPPORTED_TYPE,
                    "no type mapping from source engine '"
                        + engine
                        + "' to PostgreSQL; supported source engines: "
                        + ALL.stream().map(SourceTypeMapper::engine).toList()));
  }
}
