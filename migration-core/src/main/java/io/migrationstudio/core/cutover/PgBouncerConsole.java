package io.migrationstudio.core.cutover;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A minimal client of PgBouncer's admin console (the {@code pgbouncer} database): startup, password
 * authentication (trust, cleartext, MD5, SCRAM-SHA-256) and simple queries. The PostgreSQL JDBC
 * driver cannot be used there: since 42.7.5 it sends {@code SET extra_float_digits} after
 * connecting to a server that reports a version below 12, and the console of PgBouncer releases
 * before 1.25 refuses it ({@code SET failed}). Only the simple query protocol is spoken, which is
 * all the console understands.
 */
final class PgBouncerConsole implements AutoCloseable {
  private static final int PROTOCOL_3 = 196608;

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private PgBouncerConsole(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
    this.out = socket.getOutputStream();
  }

  /** Connects and authenticates as {@code user}; {@code password} may be null (trust). */
  static PgBouncerConsole open(
      String host, int port, String database, String user, String password, Duration timeout)
      throws IOException, SQLException {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      s.setSoTimeout((int) timeout.toMillis());
      PgBouncerConsole c = new PgBouncerConsole(s);
      c.startup(database, user, password == null ? "" : password);
      return c;
    } catch (IOException | SQLException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /**
   * Runs one console command and returns its rows (column name to text value); an error response
   * throws with its SQLState. A read that waits longer than {@code timeout} throws {@link
   * SocketTimeoutException}; the session is then unusable.
   */
  List<Map<String, String>> query(String sql, Duration timeout) throws IOException, SQLException {
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    cstring(body, sql);
    send('Q', body.toByteArray());
    List<String> columns = new ArrayList<>();
    List<Map<String, String>> rows = new ArrayList<>();
    SQLException error = null;
    while (true) {
      char type = (char) in.readUnsignedByte();
      ByteBuffer msg = ByteBuffer.wrap(body(in));
      switch (type) {
        case 'T' -> {
          columns.clear();
          int n = msg.getShort();
          for (int i = 0; i < n; i++) {
            columns.add(cstring(msg));
            msg.position(msg.position() + 18);
          }
        }
        case 'D' -> {
          int n = msg.getShort();
          Map<String, String> row = new LinkedHashMap<>();
          for (int i = 0; i < n; i++) {
            int len = msg.getInt();
            String v = null;
            if (len >= 0) {
              byte[] b = new byte[len];
              msg.get(b);
              v = new String(b, StandardCharsets.UTF_8);
            }
            row.put(i < columns.size() ? columns.get(i) : "col" + i, v);
          }
          rows.add(row);
        }
        case 'E' -> error = error(msg);
        case 'Z' -> {
          if (error != null) {
            throw error;
          }
          return rows;
        }
        default -> {
          // CommandComplete, NoticeResponse, ParameterStatus, EmptyQueryResponse: nothing to keep
        }
      }
    }
  }

  @Override
  public void close() {
    try {
      send('X', new byte[0]);
    } catch (IOException gone) {
      // the console already closed the session
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing left to release
    }
  }

  private void startup(String database, String user, String password)
      throws IOException, SQLException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(ByteBuffer.allocate(4).putInt(PROTOCOL_3).array());
    cstring(b, "user");
    cstring(b, user);
    cstring(b, "database");
    cstring(b, database);
    b.write(0);
    byte[] payload = b.toByteArray();
    out.write(
        ByteBuffer.allocate(4 + payload.length).putInt(payload.length + 4).put(payload).array());
    out.flush();
    Scram scram = null;
    while (true) {
      char type = (char) in.readUnsignedByte();
      ByteBuffer msg = ByteBuffer.wrap(body(in));
      switch (type) {
        case 'R' -> scram = authenticate(msg, user, password, scram);
        case 'E' -> throw error(msg);
        case 'Z' -> {
          return;
        }
        default -> {
          // ParameterStatus, BackendKeyData, NoticeResponse
        }
      }
    }
  }

  private Scram authenticate(ByteBuffer msg, String user, String password, Scram scram)
      throws IOException, SQLException {
    int code = msg.getInt();
    switch (code) {
      case 0 -> {
        return scram;
      }
      case 3 -> sendPassword(password);
      case 5 -> {
        byte[] salt = new byte[4];
        msg.get(salt);
        String inner = md5Hex((password + user).getBytes(StandardCharsets.UTF_8));
        byte[] innerBytes = inner.getBytes(StandardCharsets.US_ASCII);
        byte[] salted = new byte[innerBytes.length + 4];
        System.arraycopy(innerBytes, 0, salted, 0, innerBytes.length);
        System.arraycopy(salt, 0, salted, innerBytes.length, 4);
        sendPassword("md5" + md5Hex(salted));
      }
      case 10 -> {
        Scram s = new Scram(password);
        byte[] first = s.clientFirst().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        cstring(b, "SCRAM-SHA-256");
        b.write(ByteBuffer.allocate(4).putInt(first.length).array());
        b.write(first);
        send('p', b.toByteArray());
        return s;
      }
      case 11 -> {
        byte[] serverFirst = new byte[msg.remaining()];
        msg.get(serverFirst);
        send(
            'p',
            scram
                .clientFinal(new String(serverFirst, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8));
      }
      case 12 -> {
        byte[] serverFinal = new byte[msg.remaining()];
        msg.get(serverFinal);
        scram.verify(new String(serverFinal, StandardCharsets.UTF_8));
      }
      default ->
          throw new SQLException(
              "PgBouncer asks for authentication method " + code + ", which is not supported",
              "28000");
    }
    return scram;
  }

  private void sendPassword(String password) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    cstring(b, password);
    send('p', b.toByteArray());
  }

  /**
   * One message in one write: written in parts (type, length, body), PgBouncer sometimes read only
   * the first part right after a RELOAD and closed the console session ("incomplete pkt").
   */
  private void send(char type, byte[] payload) throws IOException {
    out.write(
        ByteBuffer.allocate(5 + payload.length)
            .put((byte) type)
            .putInt(payload.length + 4)
            .put(payload)
            .array());
    out.flush();
  }

  private static byte[] body(DataInputStream in) throws IOException {
    int len = in.readInt();
    byte[] b = new byte[len - 4];
    in.readFully(b);
    return b;
  }

  private static SQLException error(ByteBuffer msg) {
    String state = null;
    String message = null;
    while (msg.hasRemaining()) {
      byte field = msg.get();
      if (field == 0) {
        break;
      }
      String value = cstring(msg);
      if (field == 'C') {
        state = value;
      } else if (field == 'M') {
        message = value;
      }
    }
    return new SQLException("PgBouncer: " + message, state);
  }

  private static void cstring(ByteArrayOutputStream b, String s) {
    b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    b.write(0);
  }

  private static String cstring(ByteBuffer b) {
    int start = b.position();
    while (b.get() != 0) {
      // scan to the terminator
    }
    return new String(b.array(), start, b.position() - start - 1, StandardCharsets.UTF_8);
  }

  private static String md5Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("MD5 is not available in this JVM", e);
    }
  }

  /** The client side of SCRAM-SHA-256 (RFC 5802/7677), without channel binding. */
  private static final class Scram {
    private final String password;
    private final String nonce;
    private String clientFirstBare;
    private byte[] saltedPassword;
    private String authMessage;

    Scram(String password) {
      this.password = password;
      byte[] r = new byte[18];
      new SecureRandom().nextBytes(r);
      this.nonce = Base64.getEncoder().encodeToString(r);
    }

    String clientFirst() {
      clientFirstBare = "n=,r=" + nonce;
      return "n,," + clientFirstBare;
    }

    String clientFinal(String serverFirst) throws SQLException {
      Map<Character, String> f = fields(serverFirst);
      String serverNonce = f.get('r');
      if (serverNonce == null || !serverNonce.startsWith(nonce)) {
        throw new SQLException("PgBouncer's SCRAM reply does not continue our nonce", "28000");
      }
      byte[] salt = Base64.getDecoder().decode(f.get('s'));
      int iterations = Integer.parseInt(f.get('i'));
      saltedPassword = hi(password.getBytes(StandardCharsets.UTF_8), salt, iterations);
      byte[] clientKey = hmac(saltedPassword, "Client Key");
      byte[] storedKey = sha256(clientKey);
      String withoutProof = "c=biws,r=" + serverNonce;
      authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
      byte[] signature = hmac(storedKey, authMessage);
      byte[] proof = new byte[clientKey.length];
      for (int i = 0; i < proof.length; i++) {
        proof[i] = (byte) (clientKey[i] ^ signature[i]);
      }
      return withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
    }

    void verify(String serverFinal) throws SQLException {
      String v = fields(serverFinal).get('v');
      byte[] expected = hmac(hmac(saltedPassword, "Server Key"), authMessage);
      if (v == null || !MessageDigest.isEqual(expected, Base64.getDecoder().decode(v))) {
        throw new SQLException("PgBouncer's SCRAM server signature does not verify", "28000");
      }
    }

    private static Map<Character, String> fields(String s) {
      Map<Character, String> out = new LinkedHashMap<>();
      for (String part : s.split(",")) {
        if (part.length() >= 2 && part.charAt(1) == '=') {
          out.put(part.charAt(0), part.substring(2));
        }
      }
      return out;
    }

    private static byte[] hi(byte[] password, byte[] salt, int iterations) {
      byte[] first = new byte[salt.length + 4];
      System.arraycopy(salt, 0, first, 0, salt.length);
      first[first.length - 1] = 1;
      byte[] u = hmac(password, first);
      byte[] result = u.clone();
      for (int i = 1; i < iterations; i++) {
        u = hmac(password, u);
        for (int j = 0; j < result.length; j++) {
          result[j] ^= u[j];
        }
      }
      return result;
    }

    private static byte[] hmac(byte[] key, String data) {
      return hmac(key, data.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] hmac(byte[] key, byte[] data) {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
      }
    }

    private static byte[] sha256(byte[] data) {
      try {
        return MessageDigest.getInstance("SHA-256").digest(data);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("SHA-256 is not available in this JVM", e);
      }
    }
  }
}
