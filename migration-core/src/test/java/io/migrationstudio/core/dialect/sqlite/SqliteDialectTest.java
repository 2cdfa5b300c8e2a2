package io.migrationstudio.core.dialect.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.dialect.ConnectPhase;
import io.migrationstudio.core.dialect.Dialects;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

class SqliteDialectTest {
  private final SqliteDialect dialect = new SqliteDialect();

  @Test
  void registeredBesidePostgres() {
    assertInstanceOf(SqliteDialect.class, Dialects.forUrl("jdbc:sqlite:/tmp/x.db"));
    assertEquals("postgresql", Dialects.forUrl("jdbc:postgresql://h/db").name());
    assertFalse(dialect.accepts("jdbc:postgresql://h/db"));
    assertEquals("main", dialect.defaultSchema());
  }

  @Test
  void quotesAnyName() {
    assertEquals("\"a\"\"b c\"", dialect.quote("a\"b c"));
    assertEquals("\"main\".\"Ünïcödé\"", dialect.qualify("main", "Ünïcödé"));
  }

  @Test
  void classifiesByPrimaryResultCode() {
    Map<SQLiteErrorCode, ErrorCode> expected =
        Map.of(
            SQLiteErrorCode.SQLITE_CANTOPEN, ErrorCode.MISSING_OBJECT,
            SQLiteErrorCode.SQLITE_NOTADB, ErrorCode.MISSING_OBJECT,
            SQLiteErrorCode.SQLITE_ERROR, ErrorCode.MISSING_OBJECT,
            SQLiteErrorCode.SQLITE_BUSY, ErrorCode.TRANSIENT_SQL,
            SQLiteErrorCode.SQLITE_LOCKED, ErrorCode.TRANSIENT_SQL,
            SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT, ErrorCode.TRANSIENT_SQL,
            SQLiteErrorCode.SQLITE_AUTH, ErrorCode.AUTHENTICATION_FAILED,
            SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY, ErrorCode.PERMANENT_SQL,
            SQLiteErrorCode.SQLITE_CONSTRAINT, ErrorCode.PERMANENT_SQL,
            SQLiteErrorCode.SQLITE_READONLY, ErrorCode.PERMANENT_SQL);
    expected.forEach(
        (sqlite, code) -> {
          MigrationException m =
              dialect.classify(new SQLiteException("boom", sqlite), "reading \"t\"");
          assertEquals(code, m.code(), sqlite.name());
          assertTrue(m.getMessage().contains(sqlite.name()), m.getMessage());
          assertTrue(m.getMessage().startsWith("reading \"t\" failed"), m.getMessage());
        });
  }

  @Test
  void aDriverErrorWithoutResultCodeIsPermanent() {
    MigrationException m =
        dialect.classify(new SQLException("database connection closed"), "reading");
    assertEquals(ErrorCode.PERMANENT_SQL, m.code());
    assertTrue(m.getMessage().contains("result code none"), m.getMessage());
  }

  @Test
  void aBusyFileIsUnreachableAtTheStartAndTransientDuringAStage() {
    assertEquals(
        ErrorCode.DATABASE_UNREACHABLE,
        dialect
            .classifyConnectFailure(
                new SQLiteException("locked", SQLiteErrorCode.SQLITE_BUSY),
                "the source",
                ConnectPhase.MIGRATION_START)
            .code());
    assertEquals(
        ErrorCode.TRANSIENT_SQL,
        dialect
            .classifyConnectFailure(
                new SQLiteException("locked", SQLiteErrorCode.SQLITE_BUSY),
                "the source",
                ConnectPhase.DURING_STAGE)
            .code());
  }
}
