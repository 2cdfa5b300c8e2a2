package io.migrationstudio.core.cdc;

/** What a {@link RowChange} does to its table. */
public enum ChangeKind {
  INSERT,
  UPDATE,
  DELETE,
  /** Every row of the table goes; a {@link RowChange} of this kind has no key and no row. */
  TRUNCATE
}
