package io.migrationstudio.core.dialect.postgres;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.cdc.ChangeKind;
import io.migrationstudio.core.cdc.RowChange;
import io.migrationstudio.core.cdc.SourceTransaction;
import io.migrationstudio.core.cdc.StreamPosition;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Decodes pgoutput messages recorded from PostgreSQL 17 ({@code pgoutput/recorded.txt}, see {@link
 * PgOutputRecording}; {@link PgOutputRecordingIT} checks the server still sends the same).
 */
class PgOutputDecoderTest {
  private static Map<String, List<byte[]>> recorded;

  @BeforeAll
  static void load() throws Exception {
    recorded = PgOutputRecording.load();
  }

  private static List<SourceTransaction> decode(String scenario) {
    return PgOutputRecording.decode(recorded.get(scenario));
  }

  private static String describe(String scenario) {
    return PgOutputRecording.describe(recorded.get(scenario));
  }

  @Test
  void anInsertCarriesTheNewRowsWithByteaAsBytesAndOtherSchemasQualified() {
    assertEquals(
        "tx INSERT items {} {id=1, name=a, doc=null, data=bytes:00ff10}"
            + " INSERT items {} {id=2, name=b, doc=text of 12800, data=null}"
            + " INSERT other.side {} {id=7}\n",
        describe("insert"));
    SourceTransaction tx = decode("insert").get(0);
    assertEquals("745", tx.xid(), "BEGIN's xid 0x2e9 as decimal text");
    assertEquals(StreamPosition.PgLsn.parse("0/19061C8"), tx.commit(), "the commit's end LSN");
    assertTrue(
        tx.commitTime().isAfter(Instant.parse("2026-01-01T00:00:00Z"))
            && tx.commitTime().isBefore(Instant.parse("2027-01-01T00:00:00Z")),
        tx.commitTime().toString());
    assertArrayEquals(
        new byte[] {0, (byte) 0xff, 0x10}, (byte[]) tx.changes().get(0).row().get("data"));
  }

  @Test
  void anUpdateThatLeavesAToastedValueMarksItUnchanged() {
    assertEquals(
        "tx UPDATE items {} {id=2, name=b2, doc=UNCHANGED, data=null}\n",
        describe("update_unchanged_toast"));
    assertSame(
        RowChange.UNCHANGED,
        decode("update_unchanged_toast").get(0).changes().get(0).row().get("doc"));
  }

  @Test
  void aDeleteCarriesTheKeyUnderTheDefaultIdentityAndTheWholeRowUnderFull() {
    assertEquals("tx DELETE items {id=1} {}\n", describe("delete_key_only"));
    assertEquals("tx DELETE full_row {id=1, v=x} {}\n", describe("delete_full_row"));
  }

  @Test
  void aKeyChangingUpdateCarriesTheOldKeyAndTheNewRow() {
    assertEquals(
        "tx UPDATE items {id=2} {id=20, name=b2, doc=UNCHANGED, data=null}\n",
        describe("key_change"));
  }

  /** Each change names both tables of the one statement (truncated together), not cascaded. */
  @Test
  void aTruncateOfTwoTablesIsOneChangePerTable() {
    assertEquals("tx TRUNCATE items {} {} TRUNCATE full_row {} {}\n", describe("truncate"));
    RowChange.Truncation together = new RowChange.Truncation(List.of("items", "full_row"), false);
    for (RowChange c : decode("truncate").get(0).changes()) {
      assertEquals(together, c.truncated(), c.toString());
    }
  }

  @Test
  void aLogicalMessageArrivesAsAnEmptyTransaction() {
    List<SourceTransaction> txs = decode("message");
    assertEquals(1, txs.size());
    assertTrue(txs.get(0).changes().isEmpty());
  }

  @Test
  void aRelationWhoseColumnsChangedStopsTheDecoderNamingTableAndColumns() {
    MigrationException e =
        assertThrows(
            MigrationException.class,
            () -> PgOutputRecording.decode(recorded.get("relation_change")));
    assertEquals(ErrorCode.PERMANENT_SQL, e.code());
    assertTrue(e.getMessage().contains("table items changed its columns"), e.getMessage());
    assertTrue(e.getMessage().contains("extra (type oid 23)"), e.getMessage());
  }

  @Test
  void aRelationUnlikeTheRecordedDefinitionStopsTheDecoder() {
    PgOutputDecoder decoder = new PgOutputDecoder("public");
    decoder.expect(
        "public",
        "items",
        List.of(
            new PgOutputDecoder.Column("id", 23, -1, true),
            new PgOutputDecoder.Column("name", 25, -1, false)));
    List<byte[]> insert = recorded.get("insert");
    decoder.decode(ByteBuffer.wrap(insert.get(0)));
    MigrationException e =
        assertThrows(
            MigrationException.class, () -> decoder.decode(ByteBuffer.wrap(insert.get(1))));
    assertTrue(
        e.getMessage().contains("was [id (type oid 23), name (type oid 25)]"), e.getMessage());
  }

  @Test
  void theSameRelationDescribedAgainIsNoChange() {
    PgOutputDecoder decoder = new PgOutputDecoder("public");
    // every scenario starts a new decoding session, so each resends the Relation of items
    for (String scenario : List.of("insert", "update_unchanged_toast", "key_change", "truncate")) {
      for (byte[] m : recorded.get(scenario)) {
        decoder.decode(ByteBuffer.wrap(m));
      }
    }
  }

  @Test
  void theDefaultSchemaIsTheCapturesOwn() {
    PgOutputDecoder decoder = new PgOutputDecoder("other");
    SourceTransaction tx = null;
    for (byte[] m : recorded.get("insert")) {
      tx = decoder.decode(ByteBuffer.wrap(m)).orElse(tx);
    }
    assertEquals(
        List.of("public.items", "public.items", "side"),
        tx.changes().stream().map(RowChange::table).toList());
    assertEquals(ChangeKind.INSERT, tx.changes().get(2).kind());
  }

  @Test
  void byteaTextInHexAndEscapeFormsIsDecoded() {
    assertArrayEquals(new byte[] {0x0a, (byte) 0xff}, PgOutputDecoder.byteaFromText("\\x0aff"));
    assertArrayEquals(new byte[0], PgOutputDecoder.byteaFromText("\\x"));
    assertArrayEquals(
        new byte[] {'a', '\\', 0, (byte) 0377}, PgOutputDecoder.byteaFromText("a\\\\\\000\\377"));
  }

  @Test
  void aChangeBeforeItsRelationIsAnErrorNotAGuess() {
    PgOutputDecoder decoder = new PgOutputDecoder("public");
    List<byte[]> insert = recorded.get("insert");
    decoder.decode(ByteBuffer.wrap(insert.get(0))); // BEGIN, then skip the Relation
    MigrationException e =
        assertThrows(
            MigrationException.class, () -> decoder.decode(ByteBuffer.wrap(insert.get(2))));
    assertTrue(e.getMessage().contains("before any Relation"), e.getMessage());
  }

  /** pgoutput's Origin message: 'O', the origin's commit LSN, the origin's name. */
  private static byte[] origin(String name) {
    byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + 8 + n.length + 1)
        .put((byte) 'O')
        .putLong(0)
        .put(n)
        .put((byte) 0)
        .array();
  }

  /** The "insert" scenario with an Origin message after its BEGIN, decoded by {@code decoder}. */
  private static SourceTransaction insertFromOrigin(PgOutputDecoder decoder, String origin) {
    List<byte[]> insert = recorded.get("insert");
    SourceTransaction tx = null;
    for (int i = 0; i < insert.size(); i++) {
      tx = decoder.decode(ByteBuffer.wrap(insert.get(i))).orElse(tx);
      if (i == 0 && origin != null) {
        decoder.decode(ByteBuffer.wrap(origin(origin)));
      }
    }
    return tx;
  }

  @Test
  void aTransactionOfTheSkippedOriginArrivesEmptyAndTheNextOneWhole() {
    PgOutputDecoder decoder = new PgOutputDecoder("public", "studio_m");
    SourceTransaction skipped = insertFromOrigin(decoder, "studio_m");
    assertEquals(List.of(), skipped.changes(), "the studio's own writes are not carried back");
    assertEquals(
        decode("insert").get(0).commit(), skipped.commit(), "its position still moves the stream");
    assertEquals(3, insertFromOrigin(decoder, null).changes().size(), "no origin: every change");
    assertEquals(
        3,
        insertFromOrigin(decoder, "pg_16384").changes().size(),
        "another replication's writes (a subscription's origin) are kept");
    assertEquals(
        3,
        insertFromOrigin(new PgOutputDecoder("public"), "studio_m").changes().size(),
        "a decoder without a skipped origin keeps everything");
  }
}
