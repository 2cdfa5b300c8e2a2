package io.migrationstudio.contracts.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class TableProgressTest {
  @Test
  void rateAndEtaComeFromTheRowsCopiedBetweenStartAndLastChunk() {
    TableProgress half = new TableProgress("track", 5_000, 10_000, 2, 4).timed(1_000L, 3_000L);
    assertEquals(2_500.0, half.rowsPerSecond());
    assertEquals(2L, half.etaSeconds(), "5 000 rows left at 2 500 rows/s");

    TableProgress done = new TableProgress("track", 10_100, 10_000, 4, 4).timed(1_000L, 5_000L);
    assertEquals(0L, done.etaSeconds(), "a finished table has nothing left");

    TableProgress over = new TableProgress("track", 12_000, 10_000, 3, 4).timed(0L, 1_000L);
    assertEquals(0L, over.etaSeconds(), "more rows than estimated: no negative ETA");

    TableProgress notYet = new TableProgress("track", 0, 10_000, 0, 4).timed(1_000L, null);
    assertNull(notYet.rowsPerSecond());
    assertNull(notYet.etaSeconds());
    assertEquals(1_000L, notYet.startedAtMillis());

    TableProgress sameInstant = new TableProgress("t", 100, 100, 1, 1).timed(5L, 5L);
    assertNull(sameInstant.rowsPerSecond(), "no span, no rate");
    assertEquals(0L, sameInstant.etaSeconds());
  }

  @Test
  void oldStatusJsonWithoutTheNewFieldsStillReads() throws Exception {
    TableProgress old =
        new ObjectMapper()
            .readValue(
                "{\"table\":\"t\",\"rowsCopied\":1,\"rowsEstimated\":2,\"chunksDone\":1,"
                    + "\"chunksTotal\":2,\"somethingNew\":3}",
                TableProgress.class);
    assertEquals(new TableProgress("t", 1, 2, 1, 2), old);
  }
}
