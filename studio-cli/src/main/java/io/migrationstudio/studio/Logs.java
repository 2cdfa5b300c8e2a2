package io.migrationstudio.studio;

/** Points the log file at the studio home before the first logger is created. */
final class Logs {
  private Logs() {}

  static void init(StudioHome home) {
    System.setProperty("studio.log.dir", home.logs().toString());
  }
}
