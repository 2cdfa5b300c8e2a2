package io.migrationstudio.core.dialect.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.testkit.PostgresExtension;
import io.migrationstudio.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Records the pgoutput scenarios on the embedded server again and checks the committed recording
 * (which {@link PgOutputDecoderTest} decodes) still decodes to the same changes: the unit test's
 * bytes are what this server version sends. {@code -Dpgoutput.record=<dir>} writes the new
 * recording to {@code <dir>/recorded.txt}.
 */
@ExtendWith(PostgresExtension.class)
class PgOutputRecordingIT {

  @Test
  void theCommittedRecordingDecodesLikeWhatTheServerSendsToday(TestDatabase db) throws Exception {
    String slot = "rec_" + db.name().toLowerCase().replaceAll("[^a-z0-9_]", "_");
    Map<String, List<byte[]>> live = PgOutputRecording.record(db, slot);
    String dir = System.getProperty("pgoutput.record");
    if (dir != null) {
      Files.writeString(
          Path.of(dir, "recorded.txt"), PgOutputRecording.format(live), StandardCharsets.UTF_8);
    }
    Map<String, List<byte[]>> committed = PgOutputRecording.load();
    assertEquals(committed.keySet(), live.keySet());
    for (String scenario : live.keySet()) {
      assertEquals(
          PgOutputRecording.describe(committed.get(scenario)),
          PgOutputRecording.describe(live.get(scenario)),
          scenario);
    }
  }
}
