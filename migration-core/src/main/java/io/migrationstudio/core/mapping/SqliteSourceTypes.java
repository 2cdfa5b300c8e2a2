package io.migrationstudio.core.mapping;

import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.sqlite.SqliteDialect;
import io.migrationstudio.core.schema.CanonicalType;
import io.migrationstudio.core.schema.Column;
import java.util.Locale;

/**
 * SQLite → PostgreSQL by affinity (the canonical type {@code SqliteDialect} gives): INTEGER
 * affinity → bigint (SQLite integers are 64-bit whatever the declared width); REAL → double
 * precision; TEXT with a declared length → character varying(n), else text; NUMERIC(p,s) →
 * numeric(p,s), NUMERIC → numeric; BLOB → bytea; BOOLEAN → boolean (0/1); DATE → date and
 * DATETIME/TIMESTAMP → timestamp, parsed from the ISO-8601 text SQLite stores (values that are no
 * such text fail the review); JSON → jsonb. A column declared without a type stores any storage
 * class and is UNSUPPORTED: proposed as text, it fails the review until an override decides it. The
 * rowid alias ({@code INTEGER PRIMARY KEY}) becomes an identity. Literal defaults are carried.
 */
final class SqliteSourceTypes implements SourceTypeMapper {

  @Override
  public Class<? extends Dialect> dialect() {
    return SqliteDialect.class;
  }

  @Override
  public Target map(Column column, boolean ownsSequence) {
    CanonicalType canonical = column.type();
    boolean date =
        canonical == CanonicalType.TIMESTAMP
            && column.nativeType().trim().toUpperCase(Locale.ROOT).startsWith("DATE")
            && !column.nativeType().trim().toUpperCase(Locale.ROOT).startsWith("DATETIME");
    String type =
        switch (canonical) {
          case BOOLEAN -> "boolean";
          case BIGINT, SMALLINT, INTEGER -> "bigint";
          case DOUBLE, REAL -> "double precision";
          case VARCHAR ->
              column.length() == null ? "text" : "character varying(" + column.length() + ")";
          case DECIMAL ->
              column.precision() == null
                  ? "numeric"
                  : "numeric("
                      + column.precision()
                      + ","
                      + (column.scale() == null ? 0 : column.scale())
                      + ")";
          case BYTES -> "bytea";
          case TIMESTAMP -> date ? "date" : "timestamp";
          case JSON -> "jsonb";
          default -> "text";
        };
    CanonicalType target =
        switch (canonical) {
          case SMALLINT, INTEGER -> CanonicalType.BIGINT;
          case REAL -> CanonicalType.DOUBLE;
          case VARCHAR -> column.length() == null ? CanonicalType.TEXT : CanonicalType.VARCHAR;
          case TIMESTAMP -> date ? CanonicalType.DATE : CanonicalType.TIMESTAMP;
          case UNSUPPORTED -> CanonicalType.UNSUPPORTED;
          case BOOLEAN, BIGINT, DOUBLE, DECIMAL, BYTES, JSON, TEXT -> canonical;
          default -> CanonicalType.TEXT;
        };
    Disposition disposition = target == canonical ? Disposition.MAP : Disposition.CAST;
    boolean identity = column.identity();
    return new Target(
        type,
        target,
        disposition,
        identity ? null : SourceDefaults.literal(column.defaultExpression(), target),
        identity);
  }
}
