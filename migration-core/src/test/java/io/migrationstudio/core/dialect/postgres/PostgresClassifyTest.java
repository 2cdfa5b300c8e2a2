package io.migrationstudio.core.dialect.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.dialect.ConnectPhase;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The classification table of PostgreSQL failures (issue 12 #6): what is retried, what is not, and
 * how a failure to connect depends on whether the database has worked in this migration.
 */
class PostgresClassifyTest {
  private final PostgresDialect dialect = new PostgresDialect();

  private ErrorCode code(String state) {
    return dialect.classify(new SQLException("boom", state), "the target").code();
  }

  private ErrorCode atConnect(String state, ConnectPhase phase) {
    return dialect
        .classifyConnectFailure(new SQLException("boom", state), "the target", phase)
        .code();
  }

  @Test
  void statementFailuresByState() {
    Map<String, ErrorCode> table = new LinkedHashMap<>();
    table.put("08006", ErrorCode.TRANSIENT_SQL); // connection failure mid-statement
    table.put("08003", ErrorCode.TRANSIENT_SQL); // connection does not exist
    table.put("57P01", ErrorCode.TRANSIENT_SQL); // admin shutdown (server stopping, restart)
    table.put("57P02", ErrorCode.TRANSIENT_SQL); // crash shutdown
    table.put("57P03", ErrorCode.TRANSIENT_SQL); // cannot connect now (starting up)
    table.put("57P05", ErrorCode.TRANSIENT_SQL); // idle session timeout
    table.put("57P04", ErrorCode.MISSING_OBJECT); // database dropped: no retry brings it back
    table.put("40001", ErrorCode.TRANSIENT_SQL); // serialization failure
    table.put("40P01", ErrorCode.TRANSIENT_SQL); // deadlock
    table.put("53300", ErrorCode.TRANSIENT_SQL); // too many connections
    table.put("28P01", ErrorCode.AUTHENTICATION_FAILED);
    table.put("3D000", ErrorCode.MISSING_OBJECT);
    table.put("42P01", ErrorCode.MISSING_OBJECT);
    table.put("23505", ErrorCode.PERMANENT_SQL);
    table.put("57014", ErrorCode.PERMANENT_SQL); // query cancelled (statement timeout)
    table.put(null, ErrorCode.PERMANENT_SQL);
    table.forEach((state, expected) -> assertEquals(expected, code(state), String.valueOf(state)));
  }

  @Test
  void aRefusedConnectionIsPermanentOnlyAtTheStartOfAMigration() {
    for (String state : new String[] {"08001", "08004", "08006", "57P03"}) {
      ErrorCode start = atConnect(state, ConnectPhase.MIGRATION_START);
      ErrorCode stage = atConnect(state, ConnectPhase.DURING_STAGE);
      assertEquals(ErrorCode.DATABASE_UNREACHABLE, start, state);
      assertFalse(start.retryable(), state);
      assertEquals(ErrorCode.TRANSIENT_SQL, stage, state);
      assertEquals(true, stage.retryable(), state);
    }
    // permanent causes stay permanent whenever they happen
    for (ConnectPhase phase : ConnectPhase.values()) {
      assertEquals(ErrorCode.AUTHENTICATION_FAILED, atConnect("28P01", phase));
      assertEquals(ErrorCode.MISSING_OBJECT, atConnect("3D000", phase));
    }
  }

  @Test
  void noClassifiedMessageClaimsARetry() {
    for (String state : new String[] {"08006", "57P01", "40001", "53300"}) {
      MigrationException m = dialect.classify(new SQLException("boom", state), "the target");
      assertFalse(m.getMessage().contains("retried"), m.getMessage());
      for (ConnectPhase phase : ConnectPhase.values()) {
        MigrationException c =
            dialect.classifyConnectFailure(new SQLException("boom", state), "the target", phase);
        assertFalse(c.getMessage().contains("retried"), c.getMessage());
      }
    }
  }
}
