package io.migrationstudio.core.evidence;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.activity.GateEvidence;
import io.migrationstudio.core.report.Json;

/**
 * Gates as files on the branch: {@code gates/<stage>.json}, the {@link GateEvidence} a waiting gate
 * committed when it opened, as byte-stable JSON (no time in it, so the same gate recorded twice
 * adds no commit).
 */
public final class GateFiles {
  public static final String DIR = "gates";

  private GateFiles() {}

  public static String path(Stage stage) {
    return DIR + "/" + stage.key() + ".json";
  }

  public static byte[] render(GateEvidence gate) {
    return Json.bytes(Json.write(gate));
  }

  /** Reads a gate file; a malformed one is INVALID_ARTIFACT naming the file. */
  public static GateEvidence read(byte[] content, String path) {
    return Json.read(content, GateEvidence.class, path);
  }
}
