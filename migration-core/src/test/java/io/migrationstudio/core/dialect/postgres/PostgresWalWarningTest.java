package io.migrationstudio.core.dialect.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When the WAL a slot retains is warned about ({@link PostgresChangeCapture#walWarning}). */
class PostgresWalWarningTest {
  private static final long GIB = 1024L * 1024 * 1024;

  private static Optional<String> rule(long retained, String walStatus, long keepSizeMb) {
    return PostgresChangeCapture.walWarning("studio_m", retained, walStatus, keepSizeMb, 10 * GIB);
  }

  @Test
  void withoutAServerBoundTheSpecsBoundDecides() {
    assertEquals(Optional.empty(), rule(10 * GIB, "extended", -1));
    String w = rule(10 * GIB + 1, "extended", -1).orElseThrow();
    assertTrue(w.contains("above " + 10 * GIB + " (migrate.max_retained_wal_bytes)"), w);
  }

  @Test
  void aServerBoundWarnsAtHalfOfItWhenThatIsLower() {
    // max_slot_wal_keep_size = 1024 MB: the slot is invalidated past 1 GiB, warned about past half
    assertEquals(Optional.empty(), rule(GIB / 2, "reserved", 1024));
    String w = rule(GIB / 2 + 1, "reserved", 1024).orElseThrow();
    assertTrue(w.contains("half of the source's max_slot_wal_keep_size = 1024 MB"), w);
    // a server bound above twice the spec's: the spec's bound decides
    assertEquals(Optional.empty(), rule(10 * GIB, "extended", 100 * 1024));
    assertTrue(rule(10 * GIB + 1, "extended", 100 * 1024).isPresent());
  }

  @Test
  void unreservedAndLostSlotsAreWarnedAboutWhateverTheyRetain() {
    assertTrue(rule(0, "unreserved", 64).orElseThrow().contains("wal_status unreserved"));
    assertTrue(rule(0, "lost", 64).orElseThrow().contains("cannot resume"));
    assertTrue(
        PostgresChangeCapture.walWarning("studio_m", null, "lost", 64, 10 * GIB).isPresent());
  }
}
