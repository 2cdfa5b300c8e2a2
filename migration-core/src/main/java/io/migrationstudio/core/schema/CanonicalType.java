package io.migrationstudio.core.schema;

/**
 * Engine-neutral column types. Every dialect maps its native types onto these; the target DDL, the
 * canonical value encoding and the compatibility review all speak this vocabulary. {@link
 * #UNSUPPORTED} marks a type the studio cannot move faithfully (a risk, not a silent loss).
 */
public enum CanonicalType {
  BOOLEAN,
  SMALLINT,
  INTEGER,
  BIGINT,
  DECIMAL,
  REAL,
  DOUBLE,
  CHAR,
  VARCHAR,
  TEXT,
  DATE,
  TIME,
  TIMESTAMP,
  TIMESTAMPTZ,
  INTERVAL,
  BYTES,
  UUID,
  JSON,
  XML,
  ARRAY,
  ENUM,
  UNSUPPORTED;

  public boolean isInteger() {
    return this == SMALLINT || this == INTEGER || this == BIGINT;
  }

  public boolean isText() {
    return this == CHAR || this == VARCHAR || this == TEXT;
  }
}
