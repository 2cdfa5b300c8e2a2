package io.migrationstudio.core.dialect.postgres;

import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.schema.SchemaScript;
import io.migrationstudio.core.schema.SchemaScript.NotCarried;
import io.migrationstudio.core.schema.SchemaScript.Statement;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads the {@link SchemaScript} of one PostgreSQL schema for a PostgreSQL target: what {@code
 * pg_dump --schema-only} holds beyond the tables, keys and indexes the mapping already carries.
 *
 * <p>Every definition is the server's own: {@code pg_get_functiondef}, {@code pg_get_viewdef},
 * {@code pg_get_triggerdef}, {@code pg_get_constraintdef}, {@code pg_get_ruledef}, {@code
 * pg_get_indexdef}, {@code pg_get_expr} (partition bounds, policy expressions), {@code
 * pg_get_partkeydef} and {@code format_type}; only the frame around them ({@code CREATE TYPE ... AS
 * ENUM}, {@code CREATE AGGREGATE}, {@code CREATE POLICY}) is assembled here, from the catalog
 * columns, as pg_dump does. The catalog is read in one repeatable-read transaction with {@code
 * search_path = pg_catalog}, so every name in every definition comes out schema-qualified.
 *
 * <p>Order: types and the routines that need no table are sorted together by creation (oid), which
 * a restore from pg_dump preserves; the routines that use a table (row type, or a SQL body that
 * reads one), views and materialized views are sorted by their {@code pg_depend} edges (ties by
 * oid). Objects that belong to an extension are left to {@code CREATE EXTENSION}.
 *
 * <p>Scope: the tables accepted by the filter, every partition under them (all levels) and every
 * view and materialized view of the schema.
 */
final class PostgresSchemaScript {
  private static final String DO_TAG = "$studio_obj$";

  private final Connection c;
  private final String schema;
  private final Predicate<String> tableFilter;

  /** In-scope relations: oid → qualified name (tables, partitions, views, materialized views). */
  private final Map<Long, String> relations = new HashMap<>();

  private final Set<Long> partitions = new HashSet<>();
  private final Set<Long> matviews = new HashSet<>();
  private final List<Statement> beforeTables = new ArrayList<>();
  private final Map<String, String> partitionBy = new LinkedHashMap<>();
  private final List<Statement> afterTables = new ArrayList<>();
  private final List<Statement> afterData = new ArrayList<>();
  private final List<NotCarried> notCarried = new ArrayList<>();

  /**
   * Identity (and serial) sequences set to the source's state, and identities made {@code ALWAYS}
   * again: the last post-data steps (the load wrote keys; the change stream upserts with {@code
   * OVERRIDING SYSTEM VALUE}).
   */
  private final List<Statement> identityStates = new ArrayList<>();

  /** CHECK constraints the source has NOT VALID: added after the data, as pg_dump does. */
  private final List<Statement> notValidChecks = new ArrayList<>();

  /** Whether ownership and grants are carried ({@code mapping.carry_privileges}). */
  private final boolean privileges;

  private PostgresSchemaScript(
      Connection c, String schema, Predicate<String> tableFilter, boolean privileges) {
    this.c = c;
    this.schema = schema;
    this.tableFilter = tableFilter;
    this.privileges = privileges;
  }

  static SchemaScript read(
      Connection c, String schema, Predicate<String> tableFilter, boolean privileges)
      throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    int isolation = c.getTransactionIsolation();
    if (autoCommit) {
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setAutoCommit(false);
    }
    String searchPath = Dialect.queryString(c, "SELECT current_setting('search_path')");
    try (PreparedStatement set = c.prepareStatement("SELECT set_config('search_path', ?, true)")) {
      set.setString(1, "pg_catalog");
      set.execute();
      try {
        return new PostgresSchemaScript(c, schema, tableFilter, privileges).read();
      } finally {
        if (!autoCommit) {
          // the caller's transaction goes on with its own search_path
          set.setString(1, searchPath);
          set.execute();
        }
      }
    } finally {
      if (autoCommit) {
        c.rollback();
        c.setAutoCommit(true);
        c.setTransactionIsolation(isolation);
      }
    }
  }

  private SchemaScript read() throws SQLException {
    scope();
    extensions();
    List<Node> early = new ArrayList<>();
    List<Node> late = new ArrayList<>();
    collations(early);
    types(early);
    routines(early, late);
    early.sort(Comparator.comparingLong(Node::oid));
    early.forEach(n -> beforeTables.add(n.statement));
    partitions();
    identities();
    checks();
    List<Statement> inherits = inheritance();
    views(late);
    for (Node n : dependencyOrder(late)) {
      afterTables.add(n.statement);
      if (n.refresh != null) {
        afterData.add(n.refresh);
      }
    }
    comments();
    // post-data: the refreshes collected above run after the indexes of their views
    List<Statement> refreshes = new ArrayList<>(afterData);
    afterData.clear();
    ownIndexes();
    ownConstraints();
    afterData.addAll(notValidChecks);
    afterData.addAll(refreshes);
    triggers();
    rules();
    policies();
    afterData.addAll(inherits);
    afterData.addAll(identityStates);
    if (privileges) {
      privileges();
    }
    return new SchemaScript(
        beforeTables,
        partitionBy,
        afterTables,
        afterData,
        notCarried,
        Dialect.queryString(c, "SELECT current_setting('server_version')"));
  }

  /** A pre-data object with its sort key (oid) and, for a materialized view, its refresh. */
  private record Node(String key, long oid, Statement statement, Statement refresh) {}

  private void scope() throws SQLException {
    String sql =
        """
        SELECT cl.oid, cl.relname, cl.relkind, cl.relispartition, cl.oid::regclass::text AS qname,
               CASE WHEN cl.relkind = 'p' THEN pg_get_partkeydef(cl.oid) END AS partkey,
               CASE WHEN cl.relispartition THEN (SELECT r.relname FROM pg_class r
                     WHERE r.oid = pg_partition_root(cl.oid)) END AS root
          FROM pg_class cl
          JOIN pg_namespace n ON n.oid = cl.relnamespace
         WHERE n.nspname = ? AND cl.relkind IN ('r', 'p', 'v', 'm')
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                            AND d.objid = cl.oid AND d.deptype = 'e')
        """;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long oid = rs.getLong("oid");
          String kind = rs.getString("relkind");
          String name = rs.getString("relname");
          boolean view = kind.equals("v") || kind.equals("m");
          boolean partition = rs.getBoolean("relispartition");
          String root = rs.getString("root");
          boolean inScope =
              view || (partition ? root != null && tableFilter.test(root) : tableFilter.test(name));
          if (!inScope) {
            continue;
          }
          relations.put(oid, rs.getString("qname"));
          if (partition) {
            partitions.add(oid);
          } else if (kind.equals("p")) {
            partitionBy.put(name, rs.getString("partkey"));
          }
          if (kind.equals("m")) {
            matviews.add(oid);
          }
        }
      }
    }
  }

  /**
   * Every extension but plpgsql, with the schema it lives in; the source's version is noted (the
   * target installs its own default version).
   */
  private void extensions() throws SQLException {
    String sql =
        """
        SELECT e.extname, e.extversion, n.nspname, quote_ident(n.nspname) AS qschema
          FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname <> 'plpgsql'
         ORDER BY e.oid
        """;
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String name = rs.getString("extname");
        String qschema = rs.getString("qschema");
        if (!rs.getString("nspname").equals(schema)) {
          beforeTables.add(
              new Statement("schema", qschema, "CREATE SCHEMA IF NOT EXISTS " + qschema));
        }
        beforeTables.add(
            new Statement(
                "extension",
                name,
                "CREATE EXTENSION IF NOT EXISTS " + ident(name) + " WITH SCHEMA " + qschema,
                "version " + rs.getString("extversion") + " on the source"));
      }
    }
  }

  private void types(List<Node> out) throws SQLException {
    String sql =
        """
        SELECT t.oid, t.typtype, format_type(t.oid, NULL) AS qname,
               ARRAY(SELECT quote_literal(e.enumlabel) FROM pg_enum e
                      WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels,
               ARRAY(SELECT quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                            || CASE WHEN a.attcollation <> at.typcollation
                                    THEN ' COLLATE ' || a.attcollation::regcollation::text
                                    ELSE '' END
                       FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
                      WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
                      ORDER BY a.attnum) AS attributes,
               format_type(t.typbasetype, t.typtypmod) AS base_type,
               CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation
                    THEN t.typcollation::regcollation::text END AS collation,
               t.typdefault, t.typnotnull,
               ARRAY(SELECT ' CONSTRAINT ' || quote_ident(co.conname) || ' '
                            || pg_get_constraintdef(co.oid)
                       FROM pg_constraint co WHERE co.contypid = t.oid AND co.contype = 'c'
                      ORDER BY co.conname) AS checks,
               (SELECT 'SUBTYPE = ' || format_type(r.rngsubtype, NULL)
                       || CASE WHEN NOT oc.opcdefault
                               THEN ', SUBTYPE_OPCLASS = ' || quote_ident(ocn.nspname) || '.'
                                    || quote_ident(oc.opcname) ELSE '' END
                       || CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation
                               THEN ', COLLATION = ' || r.rngcollation::regcollation::text
                               ELSE '' END
                       || CASE WHEN r.rngcanonical <> 0
                               THEN ', CANONICAL = ' || r.rngcanonical::regproc::text ELSE '' END
                       || CASE WHEN r.rngsubdiff <> 0
                               THEN ', SUBTYPE_DIFF = ' || r.rngsubdiff::regproc::text ELSE '' END
                       || ', MULTIRANGE_TYPE_NAME = ' || format_type(r.rngmultitypid, NULL)
                  FROM pg_range r
                  JOIN pg_type st ON st.oid = r.rngsubtype
                  JOIN pg_opclass oc ON oc.oid = r.rngsubopc
                  JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
                 WHERE r.rngtypid = t.oid) AS range
          FROM pg_type t
          JOIN pg_namespace n ON n.oid = t.typnamespace
          LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
          LEFT JOIN pg_class rel ON rel.oid = t.typrelid
         WHERE n.nspname = ? AND t.typtype IN ('e', 'd', 'c', 'r')
           AND (t.typtype <> 'c' OR rel.relkind = 'c')
           AND NOT EXISTS (SELECT 1 FROM pg_depend d
                            WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                              AND d.deptype = 'e')
        """;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString("qname");
          String ddl =
              switch (rs.getString("typtype")) {
                case "e" ->
                    "CREATE TYPE "
                        + name
                        + " AS ENUM ("
                        + String.join(", ", strings(rs.getArray("labels")))
                        + ")";
                case "c" ->
                    "CREATE TYPE "
                        + name
                        + " AS (\n  "
                        + String.join(",\n  ", strings(rs.getArray("attributes")))
                        + "\n)";
                case "r" -> "CREATE TYPE " + name + " AS RANGE (" + rs.getString("range") + ")";
                default -> domain(rs, name);
              };
          String kind = rs.getString("typtype").equals("d") ? "domain" : "type";
          Statement s =
              new Statement(kind, name, guarded("to_regtype(" + literal(name) + ") IS NULL", ddl));
          out.add(new Node("t" + rs.getLong("oid"), rs.getLong("oid"), s, null));
        }
      }
    }
  }

  /**
   * Collations of the schema (not an extension's), with their provider, locale and determinism;
   * columns and domains name them with {@code COLLATE}. The locale column is {@code colllocale}
   * from PostgreSQL 17 and {@code colliculocale} before, read through {@code to_jsonb} so either
   * server answers.
   */
  private void collations(List<Node> out) throws SQLException {
    String sql =
        """
        SELECT co.oid, quote_ident(n.nspname) || '.' || quote_ident(co.collname) AS qname,
               co.collprovider, co.collisdeterministic, co.collcollate, co.collctype,
               COALESCE(to_jsonb(co) ->> 'colllocale', to_jsonb(co) ->> 'colliculocale')
                 AS locale,
               to_jsonb(co) ->> 'collicurules' AS rules
          FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace
         WHERE n.nspname = ?
           AND NOT EXISTS (SELECT 1 FROM pg_depend d
                            WHERE d.classid = 'pg_collation'::regclass AND d.objid = co.oid
                              AND d.deptype = 'e')
        """;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString("qname");
          List<String> options = new ArrayList<>();
          switch (rs.getString("collprovider")) {
            case "i" -> {
              options.add("provider = icu");
              options.add("locale = " + literal(rs.getString("locale")));
              if (rs.getString("rules") != null) {
                options.add("rules = " + literal(rs.getString("rules")));
              }
            }
            case "b" -> {
              options.add("provider = builtin");
              options.add("locale = " + literal(rs.getString("locale")));
            }
            default -> {
              options.add("provider = libc");
              options.add("lc_collate = " + literal(rs.getString("collcollate")));
              options.add("lc_ctype = " + literal(rs.getString("collctype")));
            }
          }
          if (!rs.getBoolean("collisdeterministic")) {
            options.add("deterministic = false");
          }
          String ddl =
              "CREATE COLLATION IF NOT EXISTS " + name + " (" + String.join(", ", options) + ")";
          // sorted with the types by oid: a domain's or range's collation exists before it
          out.add(
              new Node(
                  "l" + rs.getLong("oid"),
                  rs.getLong("oid"),
                  new Statement("collation", name, ddl),
                  null));
        }
      }
    }
  }

  /**
   * Identity columns and serial columns (which the mapping makes identities) of in-scope tables:
   * the sequence's parameters before the data ({@code ALTER COLUMN ... SET INCREMENT BY ...}), and
   * after it the sequence set to the source's state ({@code setval}, so the next value is the
   * source's next value, whatever the increment) and {@code SET GENERATED ALWAYS} where the source
   * has it (the mapping creates every identity {@code BY DEFAULT} so the copy writes the keys).
   */
  private void identities() throws SQLException {
    String sql =
        """
        SELECT a.attrelid, a.attrelid::regclass::text AS tbl, quote_ident(a.attname) AS col,
               a.attidentity, s.seqrelid::regclass::text AS seq, s.seqstart, s.seqincrement,
               s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
               has_sequence_privilege(s.seqrelid, 'SELECT, USAGE') AS readable,
               CASE WHEN has_sequence_privilege(s.seqrelid, 'SELECT, USAGE')
                    THEN pg_sequence_last_value(s.seqrelid) END AS last_value
          FROM pg_attribute a
          JOIN pg_class cl ON cl.oid = a.attrelid
          JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = a.attrelid
               AND d.refobjsubid = a.attnum AND d.classid = 'pg_class'::regclass
               AND d.deptype IN ('a', 'i')
          JOIN pg_sequence s ON s.seqrelid = d.objid
         WHERE a.attnum > 0 AND NOT a.attisdropped AND NOT cl.relispartition
           AND (a.attidentity <> ''
                OR EXISTS (SELECT 1 FROM pg_attrdef ad WHERE ad.adrelid = a.attrelid
                            AND ad.adnum = a.attnum
                            AND pg_get_expr(ad.adbin, ad.adrelid) LIKE 'nextval(%'))
         ORDER BY tbl, a.attnum
        """;
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        if (!relations.containsKey(rs.getLong("attrelid"))) {
          continue;
        }
        String table = rs.getString("tbl");
        String column = rs.getString("col");
        String name = table + "." + column;
        String alter = "ALTER TABLE " + table + " ALTER COLUMN " + column;
        afterTables.add(
            new Statement(
                "identity",
                name,
                alter
                    + " SET INCREMENT BY "
                    + rs.getLong("seqincrement")
                    + " SET MINVALUE "
                    + rs.getLong("seqmin")
                    + " SET MAXVALUE "
                    + rs.getLong("seqmax")
                    + " SET START WITH "
                    + rs.getLong("seqstart")
                    + " SET CACHE "
                    + rs.getLong("seqcache")
                    + (rs.getBoolean("seqcycle") ? " SET CYCLE" : " SET NO CYCLE")
                    + " RESTART"));
        String target = "pg_get_serial_sequence(" + literal(table) + ", " + literal(column) + ")";
        long last = rs.getLong("last_value");
        boolean called = !rs.wasNull();
        // without SELECT or USAGE on the source sequence the load's max + 1 stands
        if (rs.getBoolean("readable")) {
          identityStates.add(
              new Statement(
                  "identity sequence",
                  name,
                  called
                      ? "SELECT setval(" + target + ", " + last + ", true)"
                      : "SELECT setval(" + target + ", " + rs.getLong("seqstart") + ", false)",
                  "the source's sequence " + rs.getString("seq") + " when the load ended"));
        }
        if ("a".equals(rs.getString("attidentity"))) {
          identityStates.add(
              new Statement("identity always", name, alter + " SET GENERATED ALWAYS"));
        }
      }
    }
  }

  /**
   * Ownership and grants ({@code mapping.carry_privileges}) of the schema, the in-scope relations,
   * the sequences the migration creates and the schema's routines, as pg_dump writes them last: for
   * an object whose ACL is not the default, {@code REVOKE ALL ... FROM PUBLIC} then one {@code
   * GRANT} per grantee (with {@code WITH GRANT OPTION} where the source has it; the owner's own
   * rights are implicit), then {@code OWNER TO} (a sequence owned by a column follows its table).
   * Every role named is first checked on the target (after the tables, before the data): a role the
   * target lacks is named, with each grant and ownership that needs it.
   */
  private void privileges() throws SQLException {
    String sql =
        """
        SELECT 'SCHEMA' AS kind, 'SCHEMA' AS grant_kind, quote_ident(n.nspname) AS name,
               pg_get_userbyid(n.nspowner) AS owner, n.nspacl::text[] AS acl, 0::oid AS oid,
               false AS owned_sequence, 0 AS ord
          FROM pg_namespace n WHERE n.nspname = ?
        UNION ALL
        SELECT CASE cl.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                               WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                               ELSE 'TABLE' END,
               CASE cl.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
               cl.oid::regclass::text, pg_get_userbyid(cl.relowner), cl.relacl::text[], cl.oid,
               cl.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d
                                             WHERE d.classid = 'pg_class'::regclass
                                               AND d.objid = cl.oid
                                               AND d.refclassid = 'pg_class'::regclass
                                               AND d.deptype IN ('a', 'i')),
               1
          FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
         WHERE n.nspname = ? AND cl.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
           AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_class'::regclass
                            AND e.objid = cl.oid AND e.deptype = 'e')
        UNION ALL
        SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE'
                              ELSE 'FUNCTION' END,
               'ROUTINE', p.oid::regprocedure::text, pg_get_userbyid(p.proowner),
               p.proacl::text[], p.oid, false, 2
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = ?
           AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass
                            AND e.objid = p.oid AND e.deptype = 'e')
         ORDER BY ord, name
        """;
    Set<String> roles = new java.util.TreeSet<>();
    List<Statement> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      ps.setString(2, schema);
      ps.setString(3, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String kind = rs.getString("kind");
          long oid = rs.getLong("oid");
          boolean sequence = kind.equals("SEQUENCE");
          if (!kind.equals("SCHEMA")
              && !sequence
              && !relations.containsKey(oid)
              && rs.getString("grant_kind").equals("TABLE")) {
            continue; // a table left out of the mapping
          }
          String name = rs.getString("name");
          String on = rs.getString("grant_kind") + " " + name;
          String owner = rs.getString("owner");
          List<String> acl = strings(rs.getArray("acl"));
          if (!acl.isEmpty()) {
            List<String> grants = new ArrayList<>();
            grants.add("REVOKE ALL ON " + on + " FROM PUBLIC");
            for (String item : acl) {
              Grant g = Grant.parse(item);
              if (g == null || g.role().equals(owner)) {
                continue;
              }
              if (!g.role().isEmpty()) {
                roles.add(g.role());
              }
              String to = g.role().isEmpty() ? "PUBLIC" : ident(g.role());
              if (!g.plain().isEmpty()) {
                grants.add("GRANT " + String.join(", ", g.plain()) + " ON " + on + " TO " + to);
              }
              if (!g.grantable().isEmpty()) {
                grants.add(
                    "GRANT "
                        + String.join(", ", g.grantable())
                        + " ON "
                        + on
                        + " TO "
                        + to
                        + " WITH GRANT OPTION");
              }
            }
            out.add(
                new Statement(
                    "grants",
                    kind.toLowerCase(java.util.Locale.ROOT) + " " + name,
                    String.join(";\n", grants)));
          }
          if (!rs.getBoolean("owned_sequence")) {
            roles.add(owner);
            out.add(
                new Statement(
                    "owner",
                    kind.toLowerCase(java.util.Locale.ROOT) + " " + name,
                    "ALTER " + kind + " " + name + " OWNER TO " + ident(owner)));
          }
        }
      }
    }
    for (String role : roles) {
      afterTables.add(
          new Statement(
              "role",
              role,
              "DO "
                  + DO_TAG
                  + "\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
                  + literal(role)
                  + ") THEN\n    RAISE EXCEPTION 'role % does not exist on the target', "
                  + literal(role)
                  + " USING ERRCODE = '42704';\n  END IF;\nEND\n"
                  + DO_TAG,
              "named by the source's ownership or grants"));
    }
    afterData.addAll(out);
  }

  /**
   * One {@code aclitem} ({@code grantee=privileges/grantor}; an empty grantee is PUBLIC): the
   * privileges granted plainly and those granted with grant option ({@code *} after the letter).
   */
  record Grant(String role, List<String> plain, List<String> grantable) {
    private static final Map<Character, String> PRIVILEGES =
        Map.ofEntries(
            Map.entry('r', "SELECT"),
            Map.entry('a', "INSERT"),
            Map.entry('w', "UPDATE"),
            Map.entry('d', "DELETE"),
            Map.entry('D', "TRUNCATE"),
            Map.entry('x', "REFERENCES"),
            Map.entry('t', "TRIGGER"),
            Map.entry('m', "MAINTAIN"),
            Map.entry('U', "USAGE"),
            Map.entry('C', "CREATE"),
            Map.entry('X', "EXECUTE"));

    static Grant parse(String item) {
      int slash = item.lastIndexOf('/');
      int eq = item.lastIndexOf('=', slash < 0 ? item.length() - 1 : slash);
      if (eq < 0) {
        return null;
      }
      String role = item.substring(0, eq);
      if (role.startsWith("\"") && role.endsWith("\"") && role.length() > 1) {
        role = role.substring(1, role.length() - 1).replace("\"\"", "\"");
      }
      String letters = item.substring(eq + 1, slash < 0 ? item.length() : slash);
      List<String> plain = new ArrayList<>();
      List<String> grantable = new ArrayList<>();
      for (int i = 0; i < letters.length(); i++) {
        String p = PRIVILEGES.get(letters.charAt(i));
        boolean option = i + 1 < letters.length() && letters.charAt(i + 1) == '*';
        if (option) {
          i++;
        }
        if (p != null) {
          (option ? grantable : plain).add(p);
        }
      }
      return new Grant(role, plain, grantable);
    }
  }

  private static String domain(ResultSet rs, String name) throws SQLException {
    StringBuilder sb = new StringBuilder("CREATE DOMAIN ").append(name);
    sb.append(" AS ").append(rs.getString("base_type"));
    if (rs.getString("collation") != null) {
      sb.append(" COLLATE ").append(rs.getString("collation"));
    }
    if (rs.getString("typdefault") != null) {
      sb.append(" DEFAULT ").append(rs.getString("typdefault"));
    }
    if (rs.getBoolean("typnotnull")) {
      sb.append(" NOT NULL");
    }
    strings(rs.getArray("checks")).forEach(sb::append);
    return sb.toString();
  }

  /**
   * Functions, procedures and aggregates. A routine whose signature or SQL body uses a relation
   * (directly, through its row type or an array of it) is created after the tables; the others
   * before, so that defaults and CHECK constraints can call them.
   */
  private void routines(List<Node> early, List<Node> late) throws SQLException {
    String sql =
        """
        SELECT p.oid, p.prokind, p.oid::regprocedure::text AS signature,
               CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS definition,
               a.aggkind, p.oid::regproc::text AS qname,
               pg_get_function_arguments(p.oid) AS arguments,
               a.aggtransfn::regproc::text AS sfunc, format_type(a.aggtranstype, NULL) AS stype,
               a.aggtransspace, NULLIF(a.aggfinalfn, 0)::regproc::text AS finalfunc,
               a.aggfinalextra, NULLIF(a.aggcombinefn, 0)::regproc::text AS combinefunc,
               NULLIF(a.aggserialfn, 0)::regproc::text AS serialfunc,
               NULLIF(a.aggdeserialfn, 0)::regproc::text AS deserialfunc,
               a.agginitval, NULLIF(a.aggsortop, 0)::regoperator::text AS sortop,
               a.aggmtransfn <> 0 AS moving, p.proparallel,
               EXISTS (SELECT 1 FROM pg_depend d
                         LEFT JOIN pg_type rt ON d.refclassid = 'pg_type'::regclass
                              AND rt.oid = d.refobjid
                         LEFT JOIN pg_type et ON et.oid = rt.typelem
                         LEFT JOIN pg_class rc
                              ON rc.oid = COALESCE(NULLIF(rt.typrelid, 0), et.typrelid)
                        WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                          AND d.deptype = 'n'
                          AND (d.refclassid = 'pg_class'::regclass
                               OR rc.relkind IN ('r', 'p', 'v', 'm', 'f'))) AS uses_relation
          FROM pg_proc p
          JOIN pg_namespace n ON n.oid = p.pronamespace
          LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
         WHERE n.nspname = ?
           AND NOT EXISTS (SELECT 1 FROM pg_depend d
                            WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                              AND d.deptype = 'e')
        """;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String signature = rs.getString("signature");
          String kind =
              switch (rs.getString("prokind")) {
                case "p" -> "procedure";
                case "a" -> "aggregate";
                default -> "function";
              };
          String ddl;
          if (kind.equals("aggregate")) {
            if (!"n".equals(rs.getString("aggkind")) || rs.getBoolean("moving")) {
              notCarried.add(
                  new NotCarried(
                      kind,
                      signature,
                      "ordered-set, hypothetical-set and moving aggregates are not carried;"
                          + " create it on the target by hand from the source's definition"));
              continue;
            }
            ddl = aggregate(rs);
          } else {
            ddl = stripSemicolon(rs.getString("definition").strip());
          }
          long oid = rs.getLong("oid");
          Node node = new Node("p" + oid, oid, new Statement(kind, signature, ddl), null);
          (rs.getBoolean("uses_relation") ? late : early).add(node);
        }
      }
    }
  }

  private static String aggregate(ResultSet rs) throws SQLException {
    StringBuilder sb = new StringBuilder("CREATE OR REPLACE AGGREGATE ");
    sb.append(rs.getString("qname")).append('(').append(rs.getString("arguments")).append(") (");
    sb.append("\n  SFUNC = ").append(rs.getString("sfunc"));
    sb.append(",\n  STYPE = ").append(rs.getString("stype"));
    if (rs.getInt("aggtransspace") != 0) {
      sb.append(",\n  SSPACE = ").append(rs.getInt("aggtransspace"));
    }
    option(sb, "FINALFUNC", rs.getString("finalfunc"));
    if (rs.getBoolean("aggfinalextra")) {
      sb.append(",\n  FINALFUNC_EXTRA");
    }
    option(sb, "COMBINEFUNC", rs.getString("combinefunc"));
    option(sb, "SERIALFUNC", rs.getString("serialfunc"));
    option(sb, "DESERIALFUNC", rs.getString("deserialfunc"));
    if (rs.getString("agginitval") != null) {
      sb.append(",\n  INITCOND = ").append(literal(rs.getString("agginitval")));
    }
    String sortop = rs.getString("sortop");
    if (sortop != null) {
      // regoperator spells operator(schema.op)(args): SORTOP takes the operator alone
      sb.append(",\n  SORTOP = ").append(sortop.substring(0, sortop.indexOf('(', 1)));
    }
    switch (rs.getString("proparallel")) {
      case "s" -> sb.append(",\n  PARALLEL = SAFE");
      case "r" -> sb.append(",\n  PARALLEL = RESTRICTED");
      default -> {}
    }
    return sb.append("\n)").toString();
  }

  private static void option(StringBuilder sb, String name, String value) {
    if (value != null) {
      sb.append(",\n  ").append(name).append(" = ").append(value);
    }
  }

  /** Every partition under an in-scope table, parents before children, with its bounds. */
  private void partitions() throws SQLException {
    String sql =
        """
        SELECT cl.oid, cl.oid::regclass::text AS qname, i.inhparent::regclass::text AS parent,
               pg_get_expr(cl.relpartbound, cl.oid) AS bound,
               CASE WHEN cl.relkind = 'p' THEN pg_get_partkeydef(cl.oid) END AS partkey,
               (SELECT pt.level FROM pg_partition_tree(pg_partition_root(cl.oid)) pt
                 WHERE pt.relid = cl.oid) AS level
          FROM pg_class cl
          JOIN pg_inherits i ON i.inhrelid = cl.oid
         WHERE cl.relispartition AND cl.relkind IN ('r', 'p')
         ORDER BY level, qname
        """;
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        if (!partitions.contains(rs.getLong("oid"))) {
          continue;
        }
        String name = rs.getString("qname");
        String partkey = rs.getString("partkey");
        afterTables.add(
            new Statement(
                "partition",
                name,
                "CREATE TABLE IF NOT EXISTS "
                    + name
                    + " PARTITION OF "
                    + rs.getString("parent")
                    + " "
                    + rs.getString("bound")
                    + (partkey == null ? "" : " PARTITION BY " + partkey)));
      }
    }
  }

  /**
   * Table inheritance that is not partitioning ({@code INHERITS}, e.g. Sakila's {@code
   * payment_p2007_*} under {@code payment}): returns, for the post-data section, {@code ALTER TABLE
   * child INHERIT parent} for each in-scope child and parent. Attached after the data, not at
   * creation as pg_dump does: during the load parent and children are separate tables, so a chunk
   * retried on the parent (a range delete without {@code ONLY}) cannot touch a child's rows. A
   * CHECK constraint the child inherits is added to it before the data (INHERIT requires the child
   * to have it already); the child then holds it as its own and inherited, where pg_dump's child
   * holds it as inherited only.
   */
  private List<Statement> inheritance() throws SQLException {
    String sql =
        """
        SELECT i.inhrelid, i.inhrelid::regclass::text AS child, i.inhparent,
               i.inhparent::regclass::text AS parent
          FROM pg_inherits i JOIN pg_class cl ON cl.oid = i.inhrelid
         WHERE NOT cl.relispartition AND cl.relkind = 'r'
         ORDER BY child, i.inhseqno
        """;
    List<Statement> inherits = new ArrayList<>();
    Set<Long> children = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long child = rs.getLong("inhrelid");
        if (!relations.containsKey(child) || !relations.containsKey(rs.getLong("inhparent"))) {
          continue;
        }
        children.add(child);
        String name = rs.getString("child");
        String parent = rs.getString("parent");
        inherits.add(
            new Statement(
                "inheritance",
                name,
                guarded(
                    "NOT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass("
                        + literal(name)
                        + ") AND inhparent = to_regclass("
                        + literal(parent)
                        + "))",
                    "ALTER TABLE " + name + " INHERIT " + parent)));
      }
    }
    String inheritedChecks =
        """
        SELECT co.conrelid, co.conrelid::regclass::text AS tbl, co.conname, co.contype,
               pg_get_constraintdef(co.oid) AS def
          FROM pg_constraint co
         WHERE co.contype = 'c' AND co.coninhcount > 0 AND co.conparentid = 0
         ORDER BY tbl, co.conname
        """;
    try (PreparedStatement ps = c.prepareStatement(inheritedChecks);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long rel = rs.getLong("conrelid");
        if (children.contains(rel)) {
          afterTables.add(
              new Constraint(
                      rel, rs.getString("tbl"), rs.getString("conname"), "c", rs.getString("def"))
                  .statement("check constraint"));
        }
      }
    }
    return inherits;
  }

  /** CHECK constraints declared on in-scope tables and partitions (not the inherited copies). */
  private void checks() throws SQLException {
    for (Constraint k : constraints("'c'")) {
      (k.def.endsWith("NOT VALID") ? notValidChecks : afterTables)
          .add(k.statement("check constraint"));
    }
  }

  /**
   * Each partition's own primary, unique, exclusion and foreign keys (not those cloned from the
   * parent), and exclusion constraints of in-scope tables (the mapping carries no exclusion
   * constraint); keys before foreign keys.
   */
  private void ownConstraints() throws SQLException {
    for (Constraint k : constraints("'p', 'u', 'x'")) {
      if (partitions.contains(k.relation) || k.type.equals("x")) {
        afterData.add(k.statement("constraint"));
      }
    }
    for (Constraint k : constraints("'f'")) {
      if (partitions.contains(k.relation)) {
        afterData.add(k.statement("foreign key"));
      }
    }
  }

  private record Constraint(long relation, String table, String name, String type, String def) {
    Statement statement(String kind) {
      return new Statement(
          kind,
          table + "." + ident(name),
          guarded(
              "NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass("
                  + literal(table)
                  + ") AND conname = "
                  + literal(name)
                  + ")",
              "ALTER TABLE " + table + " ADD CONSTRAINT " + ident(name) + " " + def));
    }
  }

  private List<Constraint> constraints(String types) throws SQLException {
    String sql =
        """
        SELECT co.conrelid, co.conrelid::regclass::text AS tbl, co.conname, co.contype,
               pg_get_constraintdef(co.oid) AS def
          FROM pg_constraint co
         WHERE co.contype IN (%s) AND co.conrelid <> 0 AND co.conislocal AND co.coninhcount = 0
           AND co.conparentid = 0
         ORDER BY tbl, co.conname
        """
            .formatted(types);
    List<Constraint> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long rel = rs.getLong("conrelid");
        if (relations.containsKey(rel)) {
          out.add(
              new Constraint(
                  rel,
                  rs.getString("tbl"),
                  rs.getString("conname"),
                  rs.getString("contype"),
                  rs.getString("def")));
        }
      }
    }
    return out;
  }

  /** Views and materialized views (created WITH NO DATA; refreshed after the load). */
  private void views(List<Node> late) throws SQLException {
    String sql =
        """
        SELECT cl.oid, cl.relkind, cl.oid::regclass::text AS qname, cl.relispopulated,
               pg_get_viewdef(cl.oid) AS def, array_to_string(cl.reloptions, ', ') AS options
          FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
         WHERE n.nspname = ? AND cl.relkind IN ('v', 'm')
        """;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long oid = rs.getLong("oid");
          if (!relations.containsKey(oid)) {
            continue;
          }
          String name = rs.getString("qname");
          String options = rs.getString("options");
          String with = options == null || options.isEmpty() ? "" : " WITH (" + options + ")";
          String def = stripSemicolon(rs.getString("def").strip());
          boolean materialized = rs.getString("relkind").equals("m");
          Statement create =
              materialized
                  ? new Statement(
                      "materialized view",
                      name,
                      "CREATE MATERIALIZED VIEW IF NOT EXISTS "
                          + name
                          + with
                          + " AS\n"
                          + def
                          + "\nWITH NO DATA")
                  : new Statement(
                      "view", name, "CREATE OR REPLACE VIEW " + name + with + " AS\n" + def);
          Statement refresh =
              materialized && rs.getBoolean("relispopulated")
                  ? new Statement(
                      "materialized view refresh", name, "REFRESH MATERIALIZED VIEW " + name)
                  : null;
          late.add(new Node("c" + oid, oid, create, refresh));
        }
      }
    }
  }

  /**
   * Kahn's algorithm over the {@code pg_depend} edges among {@code nodes} (a view's edges are its
   * rewrite rule's; a routine's include row types and arrays of them), ties broken by oid.
   */
  private List<Node> dependencyOrder(List<Node> nodes) throws SQLException {
    Map<String, Node> byKey = new HashMap<>();
    nodes.forEach(n -> byKey.put(n.key, n));
    Map<String, Set<String>> needs = new HashMap<>();
    Map<String, List<String>> neededBy = new HashMap<>();
    String sql =
        """
        SELECT DISTINCT
               CASE WHEN d.classid = 'pg_rewrite'::regclass THEN 'c' || r.ev_class
                    ELSE 'p' || d.objid END AS obj,
               CASE WHEN d.refclassid = 'pg_proc'::regclass THEN 'p' || d.refobjid
                    WHEN d.refclassid = 'pg_class'::regclass THEN 'c' || d.refobjid
                    ELSE 'c' || COALESCE(NULLIF(t.typrelid, 0), et.typrelid) END AS ref
          FROM pg_depend d
          LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
          LEFT JOIN pg_type t ON d.refclassid = 'pg_type'::regclass AND t.oid = d.refobjid
          LEFT JOIN pg_type et ON et.oid = t.typelem
         WHERE d.classid IN ('pg_rewrite'::regclass, 'pg_proc'::regclass)
           AND d.refclassid IN ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass)
           AND d.deptype = 'n'
        """;
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String obj = rs.getString("obj");
        String ref = rs.getString("ref");
        if (ref != null && !obj.equals(ref) && byKey.containsKey(obj) && byKey.containsKey(ref)) {
          if (needs.computeIfAbsent(obj, k -> new HashSet<>()).add(ref)) {
            neededBy.computeIfAbsent(ref, k -> new ArrayList<>()).add(obj);
          }
        }
      }
    }
    PriorityQueue<Node> ready = new PriorityQueue<>(Comparator.comparingLong(Node::oid));
    nodes.stream().filter(n -> !needs.containsKey(n.key)).forEach(ready::add);
    List<Node> out = new ArrayList<>();
    while (!ready.isEmpty()) {
      Node n = ready.poll();
      out.add(n);
      for (String dependent : neededBy.getOrDefault(n.key, List.of())) {
        Set<String> left = needs.get(dependent);
        left.remove(n.key);
        if (left.isEmpty()) {
          needs.remove(dependent);
          ready.add(byKey.get(dependent));
        }
      }
    }
    // a cycle (not possible among views; possible through SQL bodies): keep creation order
    nodes.stream()
        .filter(n -> needs.containsKey(n.key))
        .sorted(Comparator.comparingLong(Node::oid))
        .forEach(out::add);
    return out;
  }

  /** Comments on in-scope relations and their columns, types and routines of the schema. */
  private void comments() throws SQLException {
    String sql =
        """
        SELECT d.classoid = 'pg_class'::regclass AS is_relation, d.objoid, d.objsubid,
               CASE WHEN d.classoid = 'pg_class'::regclass THEN
                      CASE cl.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                      ELSE 'TABLE' END
                    WHEN d.classoid = 'pg_type'::regclass THEN
                      CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END
                    ELSE CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE'
                                        ELSE 'FUNCTION' END END AS kind,
               CASE WHEN d.classoid = 'pg_class'::regclass THEN d.objoid::regclass::text
                    WHEN d.classoid = 'pg_type'::regclass THEN format_type(d.objoid, NULL)
                    ELSE d.objoid::regprocedure::text END AS qname,
               CASE WHEN d.objsubid > 0 THEN (SELECT quote_ident(a.attname) FROM pg_attribute a
                     WHERE a.attrelid = d.objoid AND a.attnum = d.objsubid) END AS col,
               d.description
          FROM pg_description d
          LEFT JOIN pg_class cl ON d.classoid = 'pg_class'::regclass AND cl.oid = d.objoid
          LEFT JOIN pg_type t ON d.classoid = 'pg_type'::regclass AND t.oid = d.objoid
          LEFT JOIN pg_proc p ON d.classoid = 'pg_proc'::regclass AND p.oid = d.objoid
          LEFT JOIN pg_namespace n ON n.oid = COALESCE(t.typnamespace, p.pronamespace)
         WHERE d.classoid = 'pg_class'::regclass
            OR ((d.classoid = 'pg_type'::regclass OR d.classoid = 'pg_proc'::regclass)
                AND n.nspname = ? AND d.objsubid = 0
                AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = d.classoid
                                 AND e.objid = d.objoid AND e.deptype = 'e'))
         ORDER BY kind, qname, d.objsubid
        """;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getBoolean("is_relation") && !relations.containsKey(rs.getLong("objoid"))) {
            continue;
          }
          String col = rs.getString("col");
          String target =
              col == null
                  ? rs.getString("kind") + " " + rs.getString("qname")
                  : "COLUMN " + rs.getString("qname") + "." + col;
          afterTables.add(
              new Statement(
                  "comment",
                  target,
                  "COMMENT ON " + target + " IS " + literal(rs.getString("description"))));
        }
      }
    }
    schemaComment();
  }

  /**
   * The schema's own comment ({@code COMMENT ON SCHEMA}, which pg_dump of the schema holds; e.g.
   * Sakila's {@code 'Standard public schema'}). A schema without one leaves the target's as it is.
   */
  private void schemaComment() throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT obj_description(n.oid, 'pg_namespace') FROM pg_namespace n WHERE nspname = ?")) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next() && rs.getString(1) != null) {
          String target = "SCHEMA " + ident(schema);
          afterTables.add(
              new Statement(
                  "comment", target, "COMMENT ON " + target + " IS " + literal(rs.getString(1))));
        }
      }
    }
  }

  /**
   * Indexes of in-scope partitions that are not attached to an index of their parent, and indexes
   * of materialized views; neither backs a constraint (those come with the constraint).
   */
  private void ownIndexes() throws SQLException {
    String sql =
        """
        SELECT i.indrelid, ic.oid::regclass::text AS qname, pg_get_indexdef(i.indexrelid) AS def
          FROM pg_index i
          JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid
                            AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x'))
         ORDER BY qname
        """;
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long rel = rs.getLong("indrelid");
        if (!partitions.contains(rel) && !matviews.contains(rel)) {
          continue;
        }
        String def = rs.getString("def");
        def = def.replaceFirst("^CREATE (UNIQUE )?INDEX ", "CREATE $1INDEX IF NOT EXISTS ");
        afterData.add(new Statement("index", rs.getString("qname"), def));
      }
    }
  }

  /** User triggers of in-scope relations (not the clones on partitions), with their state. */
  private void triggers() throws SQLException {
    String sql =
        """
        SELECT t.tgrelid, t.tgrelid::regclass::text AS tbl, t.tgname, t.tgenabled,
               pg_get_triggerdef(t.oid) AS def
          FROM pg_trigger t
         WHERE NOT t.tgisinternal AND t.tgparentid = 0
         ORDER BY tbl, t.tgname
        """;
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        if (!relations.containsKey(rs.getLong("tgrelid"))) {
          continue;
        }
        String table = rs.getString("tbl");
        String name = rs.getString("tgname");
        String ddl = rs.getString("def");
        String state =
            switch (rs.getString("tgenabled")) {
              case "D" -> "DISABLE";
              case "R" -> "ENABLE REPLICA";
              case "A" -> "ENABLE ALWAYS";
              default -> null;
            };
        if (state != null) {
          ddl += ";\n    ALTER TABLE " + table + " " + state + " TRIGGER " + ident(name);
        }
        afterData.add(
            new Statement(
                "trigger",
                table + "." + ident(name),
                guarded(
                    "NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass("
                        + literal(table)
                        + ") AND tgname = "
                        + literal(name)
                        + ")",
                    ddl)));
      }
    }
  }

  /** Rules of in-scope relations other than a view's own {@code _RETURN} rule. */
  private void rules() throws SQLException {
    String sql =
        """
        SELECT r.ev_class, r.ev_class::regclass::text AS tbl, r.rulename,
               pg_get_ruledef(r.oid) AS def
          FROM pg_rewrite r
         WHERE r.rulename <> '_RETURN'
         ORDER BY tbl, r.rulename
        """;
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        if (!relations.containsKey(rs.getLong("ev_class"))) {
          continue;
        }
        String def = stripSemicolon(rs.getString("def").strip());
        afterData.add(
            new Statement(
                "rule",
                rs.getString("tbl") + "." + ident(rs.getString("rulename")),
                def.replaceFirst("^CREATE RULE ", "CREATE OR REPLACE RULE ")));
      }
    }
  }

  /** Row-level security policies, then ENABLE (and FORCE) ROW LEVEL SECURITY per table. */
  private void policies() throws SQLException {
    String sql =
        """
        SELECT pol.polrelid, pol.polrelid::regclass::text AS tbl, pol.polname, pol.polpermissive,
               pol.polcmd,
               CASE WHEN pol.polroles = '{0}' THEN 'PUBLIC'
                    ELSE (SELECT string_agg(quote_ident(r.rolname), ', ' ORDER BY r.rolname)
                            FROM pg_roles r WHERE r.oid = ANY (pol.polroles)) END AS roles,
               pg_get_expr(pol.polqual, pol.polrelid) AS qual,
               pg_get_expr(pol.polwithcheck, pol.polrelid) AS with_check
          FROM pg_policy pol
         ORDER BY tbl, pol.polname
        """;
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        if (!relations.containsKey(rs.getLong("polrelid"))) {
          continue;
        }
        String table = rs.getString("tbl");
        String name = rs.getString("polname");
        StringBuilder ddl = new StringBuilder("CREATE POLICY ").append(ident(name));
        ddl.append(" ON ").append(table);
        ddl.append(rs.getBoolean("polpermissive") ? " AS PERMISSIVE" : " AS RESTRICTIVE");
        ddl.append(" FOR ")
            .append(
                switch (rs.getString("polcmd")) {
                  case "r" -> "SELECT";
                  case "a" -> "INSERT";
                  case "w" -> "UPDATE";
                  case "d" -> "DELETE";
                  default -> "ALL";
                });
        ddl.append(" TO ").append(rs.getString("roles"));
        if (rs.getString("qual") != null) {
          ddl.append(" USING (").append(rs.getString("qual")).append(')');
        }
        if (rs.getString("with_check") != null) {
          ddl.append(" WITH CHECK (").append(rs.getString("with_check")).append(')');
        }
        afterData.add(
            new Statement(
                "policy",
                table + "." + ident(name),
                guarded(
                    "NOT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = to_regclass("
                        + literal(table)
                        + ") AND polname = "
                        + literal(name)
                        + ")",
                    ddl.toString())));
      }
    }
    String rls =
        """
        SELECT cl.oid, cl.oid::regclass::text AS tbl, cl.relforcerowsecurity
          FROM pg_class cl WHERE cl.relrowsecurity ORDER BY tbl
        """;
    try (PreparedStatement ps = c.prepareStatement(rls);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        if (!relations.containsKey(rs.getLong("oid"))) {
          continue;
        }
        String table = rs.getString("tbl");
        String ddl = "ALTER TABLE " + table + " ENABLE ROW LEVEL SECURITY";
        if (rs.getBoolean("relforcerowsecurity")) {
          ddl += ";\nALTER TABLE " + table + " FORCE ROW LEVEL SECURITY";
        }
        afterData.add(new Statement("row level security", table, ddl));
      }
    }
  }

  /** {@code DO} block running {@code ddl} when {@code condition} holds (idempotent DDL). */
  static String guarded(String condition, String ddl) {
    String tag = DO_TAG;
    for (int n = 1; ddl.contains(tag) || condition.contains(tag); n++) {
      tag = "$studio_obj" + n + "$";
    }
    return "DO "
        + tag
        + "\nBEGIN\n  IF "
        + condition
        + " THEN\n    "
        + ddl
        + ";\n  END IF;\nEND\n"
        + tag;
  }

  private static String stripSemicolon(String s) {
    return s.endsWith(";") ? s.substring(0, s.length() - 1).stripTrailing() : s;
  }

  private static String ident(String name) {
    return Dialect.quoteDoubled(name);
  }

  private static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static List<String> strings(Array array) throws SQLException {
    if (array == null) {
      return List.of();
    }
    try {
      return Arrays.asList((String[]) array.getArray());
    } finally {
      array.free();
    }
  }
}
