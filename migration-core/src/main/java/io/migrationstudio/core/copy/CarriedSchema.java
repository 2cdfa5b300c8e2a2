package io.migrationstudio.core.copy;

import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.schema.SchemaScript;
import io.migrationstudio.core.schema.SchemaScript.NotCarried;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The source schema's objects beyond tables, keys and indexes ({@link SchemaScript}), carried to a
 * target of the same engine: read from the source when Migrate prepares the target and again when
 * it finishes the load, applied one object at a time, and every object the target refuses recorded
 * with the target's reason in the ledger's {@code schema_objects} table (named in {@code run.md}),
 * never dropped silently.
 *
 * <p>Carried only when the source dialect offers {@link Dialect#schemaScript}, the target speaks
 * the same catalog, the mapping keeps names ({@code naming: identity}) and the target schema is the
 * source schema (the definitions name their objects as the source does). Otherwise the script is
 * empty and Migrate behaves as before (views, routines and triggers are reported by the assessment
 * for manual porting).
 */
public final class CarriedSchema {
  private CarriedSchema() {}

  /** The script to carry for {@code mapping}, read from {@code src} now; empty when not carried. */
  public static SchemaScript read(
      Dialect source, Dialect target, Connection src, MappingDocument mapping) {
    if (!carries(source, target, mapping)) {
      return SchemaScript.EMPTY;
    }
    String schema = sourceSchema(source, mapping);
    Set<String> tables =
        mapping.tables().stream().map(TableMapping::source).collect(Collectors.toSet());
    try {
      return source
          .schemaScript(src, schema, tables::contains, mapping.carryPrivileges())
          .orElse(SchemaScript.EMPTY);
    } catch (SQLException e) {
      throw source.classify(e, "reading the definitions of schema " + schema + " on the source");
    }
  }

  /** Whether a migration from {@code source} to {@code target} under {@code mapping} carries it. */
  static boolean carries(Dialect source, Dialect target, MappingDocument mapping) {
    return source.speaksPostgres()
        && target.speaksPostgres()
        && "identity".equals(mapping.naming())
        && sourceSchema(source, mapping).equals(TableSql.targetSchema(mapping, target));
  }

  private static String sourceSchema(Dialect source, MappingDocument mapping) {
    return mapping.sourceSchema() == null || mapping.sourceSchema().isBlank()
        ? source.defaultSchema()
        : mapping.sourceSchema();
  }

  /**
   * Runs one carried object's DDL inside the caller's transaction under a savepoint: on failure the
   * savepoint is rolled back and the object returned as not carried, with the target's reason
   * (which names both versions when the target's major version is older than {@code
   * sourceVersion}'s).
   */
  static java.util.Optional<NotCarried> apply(
      Connection c, SchemaScript.Statement s, String sourceVersion) throws SQLException {
    Savepoint sp = c.setSavepoint();
    try (java.sql.Statement st = c.createStatement()) {
      st.execute(s.sql());
      c.releaseSavepoint(sp);
      return java.util.Optional.empty();
    } catch (SQLException e) {
      c.rollback(sp);
      String older = olderTarget(sourceVersion, c.getMetaData().getDatabaseProductVersion());
      return java.util.Optional.of(new NotCarried(s.kind(), s.name(), reason(s, e, older)));
    }
  }

  /**
   * {@code "; the target runs PostgreSQL 16.11, a major version older than the source's 17.7 ..."}
   * when the target's major version is below the source's, else empty.
   */
  static String olderTarget(String sourceVersion, String targetVersion) {
    int source = major(sourceVersion);
    int target = major(targetVersion);
    if (source <= 0 || target <= 0 || target >= source) {
      return "";
    }
    return "; the target runs PostgreSQL "
        + targetVersion
        + ", a major version older than the source's "
        + sourceVersion
        + ": the definition may use a feature added after "
        + target
        + " (rewrite it for "
        + target
        + ", or migrate to a target of version "
        + source
        + " or later)";
  }

  /** The major version of a server version string ({@code 16.11 (Debian ...)} → 16), 0 if none. */
  static int major(String version) {
    if (version == null) {
      return 0;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s*(\\d+)").matcher(version);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  /** The target's refusal, {@code older} (see {@link #olderTarget}), and what to do about it. */
  static String reason(SchemaScript.Statement s, SQLException e, String older) {
    String what =
        "the target refused it: "
            + io.migrationstudio.contracts.MigrationException.redact(e.getMessage())
                .replaceAll("\\s*\\R\\s*", " ")
            + " (SQLState "
            + e.getSQLState()
            + ")"
            + older;
    if (s.kind().equals("role")) {
      return "the role does not exist on the target; the source's ownership and grants name it"
          + " (each one not carried is named too). Create it on the target (CREATE ROLE "
          + s.name()
          + " ...), then run the post-data part of 03-migrate/target-schema.sql again";
    }
    if (s.kind().equals("extension")) {
      return what
          + (s.note() == null ? "" : "; " + s.note())
          + ". Install the extension's package on the target server (it must be listed in"
          + " pg_available_extensions), then run 03-migrate/target-schema.sql again";
    }
    return what
        + ". Create it by hand from 03-migrate/target-schema.sql once its cause is fixed (an"
        + " object it depends on may be missing too)";
  }

  /** Records objects not carried by {@code phase} (pre-data, post-data) of a migration. */
  static void record(
      Connection c,
      String studioSchema,
      Dialect target,
      String migrationId,
      String phase,
      List<NotCarried> missing)
      throws SQLException {
    String table = target.qualify(studioSchema, "schema_objects");
    try (PreparedStatement del =
        c.prepareStatement("DELETE FROM " + table + " WHERE migration = ? AND phase = ?")) {
      del.setString(1, migrationId);
      del.setString(2, phase);
      del.executeUpdate();
    }
    try (PreparedStatement ins =
        c.prepareStatement(
            "INSERT INTO "
                + table
                + " (migration, phase, ordinal, kind, name, reason) VALUES (?, ?, ?, ?, ?, ?)")) {
      int i = 0;
      for (NotCarried n : missing) {
        ins.setString(1, migrationId);
        ins.setString(2, phase);
        ins.setInt(3, i++);
        ins.setString(4, n.kind());
        ins.setString(5, n.name());
        ins.setString(6, n.reason());
        ins.addBatch();
      }
      ins.executeBatch();
    }
  }

  /** Every object not carried for a migration, pre-data first, in script order. */
  static List<String> notCarried(
      Connection c, String studioSchema, Dialect target, String migrationId) throws SQLException {
    String table = target.qualify(studioSchema, "schema_objects");
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT kind, name, reason FROM "
                + table
                + " WHERE migration = ? ORDER BY phase DESC, ordinal")) {
      ps.setString(1, migrationId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new NotCarried(rs.getString(1), rs.getString(2), rs.getString(3)).toString());
        }
      }
    }
    return out;
  }
}
