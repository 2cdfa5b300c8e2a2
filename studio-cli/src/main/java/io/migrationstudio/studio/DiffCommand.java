package io.migrationstudio.studio;

import io.migrationstudio.core.diff.DdlTarget;
import io.migrationstudio.core.diff.DiffReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code studio diff OLD NEW}: the schema diff between two schemas, with forward and rollback DDL
 * per change ({@link DiffReport}) for the engine and server version of OLD (the database the
 * forward script changes): a live database's version, an {@code inventory.json}'s {@code
 * server_version}, or {@code --target-version}. Markdown on standard output (or {@code --json});
 * {@code --out DIR} writes {@code diff.md}, {@code diff.json}, {@code forward.sql} and {@code
 * rollback.sql}. When OLD is an {@code inventory.json}, the Markdown ends with the consumers the
 * inventory sampled on its source, as affected by the breaking and potentially breaking changes.
 */
@Command(
    name = "diff",
    description = {
      "Compare two schemas: inventory.json files, the seed toolkit's JSON schema format, or live"
          + " databases (JDBC URLs; --user, --password ${env:NAME}, --schema).",
      "Every change is classified breaking / potentially breaking / compatible, with severity,"
          + " forward and rollback DDL in the engine's syntax (OLD's engine unless --dialect)"
          + " for OLD's server version (--target-version for files that do not record one).",
      "Exit 0 no breaking change, 1 breaking changes, 2 invalid input."
    })
final class DiffCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "OLD", description = "the schema before (file or JDBC URL)")
  String before;

  @Parameters(index = "1", paramLabel = "NEW", description = "the schema after (file or JDBC URL)")
  String after;

  @Option(names = "--user", paramLabel = "NAME", description = "user for JDBC URLs")
  String user;

  @Option(
      names = "--password",
      paramLabel = "REF",
      description = "password for JDBC URLs: ${env:NAME} or ${file:/path}, never the password")
  String password;

  @Option(names = "--schema", paramLabel = "NAME", description = "schema of JDBC URLs")
  String schema;

  @Option(
      names = "--dialect",
      paramLabel = "ENGINE",
      description =
          "DDL syntax: postgresql, mariadb or sqlite (default: OLD's engine; PostgreSQL for the"
              + " toolkit's format)")
  String dialect;

  @Option(
      names = "--target-version",
      paramLabel = "VERSION",
      description =
          "server version the DDL runs on, e.g. 16.4 (default: OLD's, read from the live"
              + " database or inventory.json's server_version; unknown for the toolkit's format:"
              + " DDL that works on every version)")
  String targetVersion;

  @Option(names = "--json", description = "print JSON instead of Markdown")
  boolean json;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "also write diff.md, diff.json, forward.sql and rollback.sql there")
  Path out;

  @Override
  public Integer call() throws Exception {
    io.migrationstudio.core.diff.DiffSchema old = read(before);
    DiffReport r =
        DiffReport.of(
            DdlTarget.forChanging(
                dialect != null
                    ? io.migrationstudio.core.dialect.Dialects.forName(dialect)
                    : DiffReport.engineOf(before),
                old,
                targetVersion),
            io.migrationstudio.contracts.MigrationException.redact(before),
            old,
            io.migrationstudio.contracts.MigrationException.redact(after),
            read(after));
    // OLD's inventory.json names the client sessions it sampled: the consumers affected
    String md =
        inventoryOf(before)
            .map(i -> io.migrationstudio.core.diff.PlannedTargetDiff.markdown(r, i))
            .orElse(r.markdown());
    System.out.print(json ? r.json() + "\n" : md);
    if (out != null) {
      Files.createDirectories(out);
      Files.writeString(out.resolve("diff.md"), md, StandardCharsets.UTF_8);
      Files.writeString(out.resolve("diff.json"), r.json() + "\n", StandardCharsets.UTF_8);
      Files.writeString(out.resolve("forward.sql"), script(r.forward()), StandardCharsets.UTF_8);
      Files.writeString(out.resolve("rollback.sql"), script(r.rollback()), StandardCharsets.UTF_8);
    }
    return r.exitCode();
  }

  private io.migrationstudio.core.diff.DiffSchema read(String arg) {
    return arg.startsWith("jdbc:")
        ? DiffReport.readLive(
            arg, user, password, schema, new io.migrationstudio.core.spec.SecretResolver())
        : DiffReport.read(Path.of(arg));
  }

  /** The inventory {@code arg} is when it is an {@code inventory.json} (read by {@link #read}). */
  private static java.util.Optional<io.migrationstudio.core.schema.Inventory> inventoryOf(
      String arg) throws java.io.IOException {
    if (arg.startsWith("jdbc:")) {
      return java.util.Optional.empty();
    }
    byte[] bytes = Files.readAllBytes(Path.of(arg));
    com.fasterxml.jackson.databind.JsonNode root =
        io.migrationstudio.core.report.Json.read(
            bytes, com.fasterxml.jackson.databind.JsonNode.class, arg);
    return root.has("engine") && root.path("tables").isArray()
        ? java.util.Optional.of(
            io.migrationstudio.core.report.Json.read(
                bytes, io.migrationstudio.core.schema.Inventory.class, arg))
        : java.util.Optional.empty();
  }

  private static String script(java.util.List<String> statements) {
    StringBuilder sb = new StringBuilder();
    statements.forEach(s -> sb.append(s).append(";\n"));
    return sb.toString();
  }
}
