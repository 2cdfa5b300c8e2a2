package io.migrationstudio.studio;

import io.migrationstudio.core.spec.AutoApproval;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    description = {
      "All-in-one demonstration: an embedded PostgreSQL with Chinook (plus a generated table) is",
      "migrated to an empty database through all five stages with auto-approval."
    })
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--home", paramLabel = "DIR", description = "studio home (default ./.studio)")
  Path home;

  @Option(
      names = "--rows",
      description = "rows of the generated listening_event table (default ${DEFAULT-VALUE})")
  int rows = 300_000;

  @Override
  public Integer call() throws Exception {
    StudioHome h = StudioHome.of(home);
    Logs.init(h);
    System.out.println("studio demo: starting an embedded PostgreSQL and loading Chinook ...");
    try (DemoDatabases dbs = DemoDatabases.start(h.demo(), rows)) {
      String id =
          "demo-"
              + ZonedDateTime.now(ZoneOffset.UTC)
                  .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
      Path switchFile = h.demo().resolve("application-db.properties");
      String spec =
          String.join(
              "\n",
              "id: " + id,
              "title: \"Demo: Chinook PostgreSQL to PostgreSQL\"",
              "source: { url: \"" + dbs.url(DemoDatabases.SOURCE) + "\", user: postgres }",
              "target: { url: \"" + dbs.url(DemoDatabases.TARGET) + "\", user: postgres }",
              "mapping: { naming: snake_case }",
              "migrate: { parallelism: 2, chunk_rows: 25000 }",
              "validation: { sample_rows: 200 }",
              "reviews: { identity: none }",
              "cutover: { rto: PT5M, freeze: source-read-only, hypercare: PT0S, switch: { type: config-file, path: \""
                  + switchFile
                  + "\" } }",
              "");
      System.out.printf(
          Locale.ROOT,
          "source %s (Chinook, 11 tables, and listening_event with %,d rows), target %s%n",
          DemoDatabases.SOURCE,
          rows,
          DemoDatabases.TARGET);
      return LocalRun.execute(
          h, spec, AutoApproval.ALL, 0, System.getProperty("studio.git.remote"), System.out);
    }
  }
}
