package io.migrationstudio.core.dialect.postgres;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.cdc.RowChange;
import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.StreamPosition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decodes PostgreSQL's {@code pgoutput} logical replication messages (protocol version 1, text
 * values) into whole {@link SourceTransaction}s. One decoder reads one stream: it keeps the
 * relations the stream described and the transaction being assembled, so it is fed every message of
 * the stream in order.
 *
 * <p>The protocol (PostgreSQL docs, "Logical Replication Message Formats"): a transaction is {@code
 * B}egin (final LSN, commit time, xid), its changes, {@code C}ommit (flags, commit LSN, end LSN,
 * commit time). Before the first change to a table in a session, and again after the table's
 * definition changed, the server sends a {@code R}elation message (oid, namespace, name, replica
 * identity, columns with a key flag, type oid and typmod); changes name the table by oid only.
 * {@code I}nsert carries the new tuple ({@code N}); {@code U}pdate an optional old tuple ({@code
 * K}: key columns only, when the key changed; {@code O}: the whole old row under {@code REPLICA
 * IDENTITY FULL}) and the new tuple; {@code D}elete the old tuple ({@code K} or {@code O}); {@code
 * T}runcate a list of oids. Each tuple value is {@code n} (null), {@code u} (an unchanged TOASTed
 * value the server does not send) or {@code t} (the column's text output). {@code O}rigin names the
 * replication origin of a transaction written by a session that set one up: a transaction of the
 * decoder's skipped origin (the studio's own reverse applier) arrives with no changes. {@code Y}
 * (type) and {@code M} (logical message) carry nothing for the target: a transactional message
 * emitted alone ({@code pg_logical_emit_message(true, ...)}) thus arrives as an empty transaction,
 * which is how the studio marks a heartbeat or an end position.
 *
 * <p>DDL is not decoded by PostgreSQL: a table whose columns changed shows only as a Relation
 * message that differs from the one first seen. That stops the decoder with an error naming the
 * table and both column lists, rather than applying rows of a new shape to the old target table.
 */
final class PgOutputDecoder {
  /** PostgreSQL counts time in microseconds since 2000-01-01 UTC. */
  private static final Instant PG_EPOCH = Instant.parse("2000-01-01T00:00:00Z");

  private static final int BYTEA_OID = 17;

  /** One column as a Relation message describes it. */
  record Column(String name, int typeOid, int typmod, boolean key) {
    String describe() {
      return name + " (type oid " + typeOid + (typmod >= 0 ? ", typmod " + typmod : "") + ")";
    }
  }

  /** A table as a Relation message describes it, named as the mapping names it. */
  record Relation(String table, List<Column> columns) {
    boolean sameShape(Relation other) {
      if (columns.size() != other.columns.size()) {
        return false;
      }
      for (int i = 0; i < columns.size(); i++) {
        Column a = columns.get(i);
        Column b = other.columns.get(i);
        if (!a.name.equals(b.name) || a.typeOid != b.typeOid || a.typmod != b.typmod) {
          return false;
        }
      }
      return true;
    }

    String describeColumns() {
      return columns.stream().map(Column::describe).toList().toString();
    }
  }

  private final String schema;
  private final String skipOrigin;
  private final Map<Integer, Relation> relations = new HashMap<>();
  private final Map<String, Relation> firstSeen = new HashMap<>();
  private String xid;
  private boolean skipping;
  private final List<RowChange> changes = new ArrayList<>();

  /**
   * @param schema the capture's schema: its tables are named unqualified (as {@code
   *     TableMapping.source()} names them), tables of other schemas {@code schema.table}
   */
  PgOutputDecoder(String schema) {
    this(schema, null);
  }

  /**
   * @param skipOrigin the replication origin whose transactions arrive without their row changes
   *     (an empty transaction, so the position still moves): the writes of the studio's own applier
   *     on this database, which the stream must not carry back (loop prevention); null: none
   */
  PgOutputDecoder(String schema, String skipOrigin) {
    this.schema = schema;
    this.skipOrigin = skipOrigin;
  }

  /**
   * Takes {@code columns} as the definition first seen for table {@code relname} of {@code
   * namespace} (the one recorded when the capture was prepared), so a stream opened after the table
   * changed still stops at its first Relation message.
   */
  void expect(String namespace, String relname, List<Column> columns) {
    String table = tableName(namespace, relname);
    firstSeen.put(table, new Relation(table, List.copyOf(columns)));
  }

  private String tableName(String namespace, String relname) {
    return namespace.equals(schema) ? relname : namespace + "." + relname;
  }

  /** Whether a transaction was begun and not yet committed. */
  boolean inTransaction() {
    return xid != null;
  }

  /**
   * Decodes one message (the buffer's remaining bytes); returns the transaction it completes
   * (COMMIT), else empty.
   */
  Optional<SourceTransaction> decode(ByteBuffer message) {
    ByteBuffer in = message.slice();
    char type = (char) in.get();
    switch (type) {
      case 'B' -> begin(in);
      case 'C' -> {
        return Optional.of(commit(in));
      }
      case 'R' -> relation(in);
      case 'I' -> insert(in);
      case 'U' -> update(in);
      case 'D' -> delete(in);
      case 'T' -> truncate(in);
      case 'O' -> origin(in);
      case 'Y', 'M' -> {
        // type, logical message: nothing to apply
      }
      default ->
          throw new MigrationException(
              ErrorCode.INTERNAL,
              "unknown pgoutput message type '"
                  + type
                  + "': the stream uses a protocol version the studio does not read (it asks for"
                  + " proto_version 1)");
    }
    return Optional.empty();
  }

  private void begin(ByteBuffer in) {
    in.getLong(); // final LSN of the transaction: the commit message has it too
    in.getLong(); // commit time: the commit message has it too
    xid = Integer.toUnsignedString(in.getInt());
    changes.clear();
    skipping = false;
  }

  /**
   * Origin (sent right after Begin when the transaction was written by a session with a replication
   * origin): the origin's commit LSN, then its name.
   */
  private void origin(ByteBuffer in) {
    requireTransaction('O');
    in.getLong();
    skipping = skipOrigin != null && skipOrigin.equals(string(in));
  }

  private SourceTransaction commit(ByteBuffer in) {
    requireTransaction('C');
    in.get(); // flags, unused
    in.getLong(); // commit LSN: the end LSN is where a restart resumes after this transaction
    long endLsn = in.getLong();
    Instant commitTime = time(in.getLong());
    SourceTransaction tx =
        new SourceTransaction(xid, new StreamPosition.PgLsn(endLsn), commitTime, changes);
    xid = null;
    changes.clear();
    skipping = false;
    return tx;
  }

  private void relation(ByteBuffer in) {
    int oid = in.getInt();
    String namespace = string(in);
    String name = string(in);
    in.get(); // replica identity setting: the key flags below say what it means
    int count = in.getShort();
    List<Column> columns = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      boolean key = (in.get() & 1) != 0;
      columns.add(new Column(string(in), in.getInt(), in.getInt(), key));
    }
    String table = tableName(namespace, name);
    Relation relation = new Relation(table, List.copyOf(columns));
    Relation first = firstSeen.putIfAbsent(table, relation);
    if (first != null && !first.sameShape(relation)) {
      throw new MigrationException(
          ErrorCode.PERMANENT_SQL,
          "the captured source table "
              + table
              + " changed its columns during the stream (DDL on a captured table): was "
              + first.describeColumns()
              + ", now "
              + relation.describeColumns()
              + ". The stream stopped so that no row of the new shape reaches the old target"
              + " table: undo the change on the source, or restart the migration from Mapping"
              + " with the new definition");
    }
    relations.put(oid, relation);
  }

  private void insert(ByteBuffer in) {
    Relation r = relation(in.getInt(), 'I');
    expect(in, 'N', r);
    add(RowChange.insert(r.table, tuple(in, r, false)));
  }

  private void update(ByteBuffer in) {
    Relation r = relation(in.getInt(), 'U');
    Map<String, Object> oldKey = Map.of();
    char kind = (char) in.get();
    if (kind == 'K' || kind == 'O') {
      oldKey = tuple(in, r, kind == 'K');
      kind = (char) in.get();
    }
    if (kind != 'N') {
      throw malformed("UPDATE", r, kind);
    }
    add(RowChange.update(r.table, oldKey, tuple(in, r, false)));
  }

  private void delete(ByteBuffer in) {
    Relation r = relation(in.getInt(), 'D');
    char kind = (char) in.get();
    if (kind != 'K' && kind != 'O') {
      throw malformed("DELETE", r, kind);
    }
    add(RowChange.delete(r.table, tuple(in, r, kind == 'K')));
  }

  private void truncate(ByteBuffer in) {
    requireTransaction('T');
    int count = in.getInt();
    // options: 1 CASCADE, 2 RESTART IDENTITY; the cascaded tables are listed themselves
    boolean cascade = (in.get() & 1) != 0;
    List<String> tables = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      tables.add(relation(in.getInt(), 'T').table);
    }
    for (String t : tables) { // one statement: the applier truncates them together
      add(RowChange.truncate(t, tables, cascade));
    }
  }

  /** Keeps a change of the transaction, unless the transaction's origin is the one skipped. */
  private void add(RowChange change) {
    if (!skipping) {
      changes.add(change);
    }
  }

  /**
   * A tuple's values by column name: text, {@code byte[]} for bytea, null, or {@link
   * RowChange#UNCHANGED}. {@code keyOnly}: only the key columns (a {@code K} tuple sends the others
   * as null).
   */
  private Map<String, Object> tuple(ByteBuffer in, Relation r, boolean keyOnly) {
    int count = in.getShort();
    if (count != r.columns.size()) {
      throw new MigrationException(
          ErrorCode.INTERNAL,
          "pgoutput tuple of "
              + r.table
              + " has "
              + count
              + " values for "
              + r.columns.size()
              + " columns "
              + r.describeColumns());
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (Column c : r.columns) {
      char kind = (char) in.get();
      Object value =
          switch (kind) {
            case 'n' -> null;
            case 'u' -> RowChange.UNCHANGED;
            case 't' -> {
              byte[] bytes = new byte[in.getInt()];
              in.get(bytes);
              String text = new String(bytes, StandardCharsets.UTF_8);
              yield c.typeOid == BYTEA_OID ? byteaFromText(text) : text;
            }
            default -> throw malformed("tuple value", r, kind);
          };
      if (!keyOnly || c.key) {
        values.put(c.name, value);
      }
    }
    return values;
  }

  /**
   * The bytes of bytea's text output: hex ({@code \x0a1b}, the default {@code bytea_output}) or
   * escape ({@code \\} for a backslash, {@code \ooo} octal for other non-printable bytes).
   */
  static byte[] byteaFromText(String text) {
    if (text.startsWith("\\x")) {
      byte[] out = new byte[(text.length() - 2) / 2];
      for (int i = 0; i < out.length; i++) {
        out[i] = (byte) Integer.parseInt(text.substring(2 + 2 * i, 4 + 2 * i), 16);
      }
      return out;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch != '\\') {
        out.write(ch);
      } else if (text.charAt(i + 1) == '\\') {
        out.write('\\');
        i++;
      } else {
        out.write(Integer.parseInt(text.substring(i + 1, i + 4), 8));
        i += 3;
      }
    }
    return out.toByteArray();
  }

  private Relation relation(int oid, char message) {
    requireTransaction(message);
    Relation r = relations.get(oid);
    if (r == null) {
      throw new MigrationException(
          ErrorCode.INTERNAL,
          "pgoutput message '"
              + message
              + "' names relation oid "
              + Integer.toUnsignedString(oid)
              + " before any Relation message described it");
    }
    return r;
  }

  private void requireTransaction(char message) {
    if (xid == null) {
      throw new MigrationException(
          ErrorCode.INTERNAL, "pgoutput message '" + message + "' arrived outside a transaction");
    }
  }

  private static void expect(ByteBuffer in, char expected, Relation r) {
    char kind = (char) in.get();
    if (kind != expected) {
      throw malformed("INSERT", r, kind);
    }
  }

  private static MigrationException malformed(String what, Relation r, char kind) {
    return new MigrationException(
        ErrorCode.INTERNAL,
        "malformed pgoutput " + what + " of " + r.table + ": unexpected marker '" + kind + "'");
  }

  /** A NUL-terminated string (names are in the server's encoding; the studio requires UTF-8). */
  private static String string(ByteBuffer in) {
    int start = in.position();
    while (in.get() != 0) {
      // find the terminator
    }
    byte[] bytes = new byte[in.position() - start - 1];
    in.get(start, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static Instant time(long micros) {
    return PG_EPOCH.plusNanos(Math.multiplyExact(micros, 1000L));
  }
}
