package io.migrationstudio.core.assess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.core.contract.AbstractRiskChecksIT;
import io.migrationstudio.core.contract.EngineDb;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The risk checks contract with a MariaDB source (its data probe), and MariaDB's own anomalies. */
class MariaDbRiskChecksIT extends AbstractRiskChecksIT {

  @Override
  protected EngineDb emptySource() {
    return EngineDb.mariadb("src");
  }

  @Override
  protected EngineDb chinookSource() {
    return EngineDb.mariadbChinook();
  }

  private static Risk onlyRisk(RiskReport r, String key) {
    List<Risk> found = r.risks().stream().filter(x -> x.key().equals(key)).toList();
    assertEquals(1, found.size(), key + " in " + r.risks().stream().map(Risk::id).toList());
    return found.get(0);
  }

  @Test
  void zeroDatesAndNulBytesOfAMariaDbSourceAreReportedWithCountsAndKeys() {
    EngineDb src = emptySource();
    src.execute(
        "SET SESSION sql_mode = ''",
        "CREATE TABLE `Event Log` (id int PRIMARY KEY, happened date NULL, note varchar(40))",
        "INSERT INTO `Event Log` VALUES (1, '2024-01-31', 'fine'), (2, '0000-00-00', 'ok'),"
            + " (3, '2024-02-29', CONCAT('a', CHAR(0), 'b')), (4, '2024-00-10', 'ok'),"
            + " (5, NULL, NULL)");
    RiskReport r = report(assessTwiceAlike(spec(src, EngineDb.postgres("dst"))));

    Risk zero = onlyRisk(r, "mysql-zero-dates");
    assertEquals(List.of("Event Log.happened"), zero.objects());
    assertTrue(zero.detail().startsWith("2 rows of Event Log.happened"), zero.detail());
    // example keys are source values: masked by default
    assertTrue(zero.detail().endsWith(": [#, #]"), zero.detail());

    Risk nul = onlyRisk(r, "text-with-nul-bytes");
    assertEquals(List.of("Event Log.note"), nul.objects());
    assertTrue(nul.detail().startsWith("1 rows of Event Log.note"), nul.detail());
    // the example key is a source value: masked by default
    assertTrue(nul.detail().endsWith(": [#]"), nul.detail());

    for (String key :
        List.of(
            "mysql-zero-dates",
            "text-with-nul-bytes",
            "case-insensitive-unique-collision",
            "target-not-empty")) {
      assertEquals(CheckRun.Status.RAN, run(r, key).status(), key + ": " + run(r, key).reason());
    }
  }
}
