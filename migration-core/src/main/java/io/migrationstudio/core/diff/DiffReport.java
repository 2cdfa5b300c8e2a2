package io.migrationstudio.core.diff;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.schema.Inventory;
import io.migrationstudio.core.spec.SecretResolver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code studio diff OLD NEW} reports: the engine and server version the DDL is written for
 * ({@link DdlTarget#describe}); every change with its impact, severity, reason, forward and
 * rollback DDL, rollback note and note; the whole forward and rollback scripts; counts per impact.
 * {@link #exitCode}: 0 when nothing breaks, 1 when a change is breaking (2, invalid input, is the
 * caller's).
 */
public record DiffReport(
    String before,
    String after,
    String target,
    Map<String, Integer> counts,
    List<SchemaDiff.Change> changes,
    List<String> forward,
    List<String> rollback) {

  public DiffReport {
    counts = Map.copyOf(counts);
    changes = List.copyOf(changes);
    forward = List.copyOf(forward);
    rollback = List.copyOf(rollback);
  }

  /** The diff in {@code target}'s DDL for a server of unknown version. */
  public static DiffReport of(
      Dialect target, String beforeName, DiffSchema before, String afterName, DiffSchema after) {
    return of(DdlTarget.of(target), beforeName, before, afterName, after);
  }

  public static DiffReport of(
      DdlTarget target, String beforeName, DiffSchema before, String afterName, DiffSchema after) {
    List<SchemaDiff.Change> changes = SchemaDiff.compare(target, before, after);
    Map<String, Integer> counts = new TreeMap<>();
    for (SchemaDiff.Impact i : SchemaDiff.Impact.values()) {
      counts.put(i.label(), (int) changes.stream().filter(c -> c.impact() == i).count());
    }
    return new DiffReport(
        beforeName,
        afterName,
        target.describe(),
        counts,
        changes,
        SchemaDiff.forward(changes),
        SchemaDiff.rollback(changes));
  }

  @JsonProperty("breaking")
  public boolean breaking() {
    return changes.stream().anyMatch(c -> c.impact() == SchemaDiff.Impact.BREAKING);
  }

  public int exitCode() {
    return breaking() ? 1 : 0;
  }

  /**
   * A schema file: the seed toolkit's JSON schema format (a {@code tables} object) or an {@code
   * inventory.json}; anything else is INVALID_SPEC naming the file and both formats.
   */
  public static DiffSchema read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC, "cannot read schema file " + file + ": " + e.getMessage());
    }
    try {
      JsonNode root = Json.read(bytes, JsonNode.class, "schema file " + file);
      if (root != null && root.has("engine") && root.path("tables").isArray()) {
        return DiffSchema.of(Json.read(bytes, Inventory.class, "inventory " + file));
      }
      if (root != null && ToolkitSchema.accepts(root)) {
        return ToolkitSchema.read(root, "schema file " + file);
      }
    } catch (MigrationException e) {
      // unreadable input is invalid input (exit 2), not a failed run
      throw new MigrationException(ErrorCode.INVALID_SPEC, e.getMessage(), e);
    }
    throw new MigrationException(
        ErrorCode.INVALID_SPEC,
        "schema file "
            + file
            + " is neither an inventory.json (engine, tables[]) nor the toolkit's schema format"
            + " (tables: {name: {columns: ...}}); pass one of those");
  }

  /**
   * The engine whose DDL a diff from {@code schema} (a JDBC URL or a schema file) is written in: a
   * URL's engine, an {@code inventory.json}'s {@code engine}, PostgreSQL for the toolkit's format
   * (which names no engine). An unreadable file is left to {@link #read} to report.
   */
  public static Dialect engineOf(String schema) {
    if (schema.startsWith("jdbc:")) {
      return Dialects.forUrl(schema);
    }
    try {
      JsonNode root = Json.read(Files.readAllBytes(Path.of(schema)), JsonNode.class, schema);
      if (root != null && root.hasNonNull("engine")) {
        return Dialects.forName(root.get("engine").asText());
      }
    } catch (IOException | RuntimeException e) {
      // not readable or not JSON: read() says so with the formats it accepts
    }
    return Dialects.forName("postgresql");
  }

  /**
   * The schema of a live database: {@code url} (a JDBC URL), read read-only through the studio's
   * own catalog reader ({@code InventoryService.introspect}); {@code password} is a secret
   * reference ({@code ${env:NAME}} or {@code ${file:/path}}), never a literal (INVALID_SPEC).
   */
  public static DiffSchema readLive(
      String url, String user, String password, String schema, Secrets secrets) {
    if (password != null && !password.isEmpty() && !SecretResolver.isReference(password)) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "--password must be a ${env:NAME} or ${file:/path} reference, not the password itself");
    }
    Dialect dialect = Dialects.forUrl(url);
    ConnectionSpec spec = new ConnectionSpec(url, user, password, schema);
    String s = Dialects.schemaOf(spec);
    try (Connection c = Dialects.openReadOnly(spec, secrets, "schema diff")) {
      return DiffSchema.of(InventoryService.introspect(c, dialect, s, t -> true));
    } catch (SQLException e) {
      throw dialect.classify(
          e, "reading the catalog of schema " + s + " of " + MigrationException.redact(url));
    }
  }

  public String json() {
    return Json.write(this);
  }

  public String markdown() {
    StringBuilder sb = new StringBuilder("# Schema diff\n\n");
    sb.append("From `").append(before).append("` to `").append(after).append("`: ");
    sb.append(changes.size()).append(" changes (");
    sb.append(counts.get("breaking")).append(" breaking, ");
    sb.append(counts.get("potentially breaking")).append(" potentially breaking, ");
    sb.append(counts.get("compatible")).append(" compatible). DDL written for ");
    sb.append(target).append(".\n\n");
    sb.append("| impact | severity | object | change | why |\n|---|---|---|---|---|\n");
    for (SchemaDiff.Change c : changes) {
      sb.append("| ").append(c.impact().label()).append(" | ").append(c.severity());
      sb.append(" | ").append(cell(c.object())).append(" | ").append(cell(c.change()));
      sb.append(" | ").append(cell(c.why()));
      if (c.note() != null) {
        sb.append(" Note: ").append(cell(c.note())).append('.');
      }
      if (c.rollbackNote() != null) {
        sb.append(" Rollback: ").append(cell(c.rollbackNote()));
      }
      sb.append(" |\n");
    }
    sb.append("\n## Forward DDL\n\n```sql\n");
    forward.forEach(s -> sb.append(s).append(";\n"));
    sb.append("```\n\n## Rollback DDL\n\n```sql\n");
    rollback.forEach(s -> sb.append(s).append(";\n"));
    return sb.append("```\n").toString();
  }

  private static String cell(String s) {
    return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
  }
}
