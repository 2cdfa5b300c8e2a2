package io.migrationstudio.studio;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A gRPC channel for the client commands' plaintext unary calls to a {@code studio server}: HTTP/2
 * with prior knowledge over one plain socket, written on the calling thread, without Netty (issue
 * 17: Netty's event loop, allocator and native transport were about half of a client command's
 * start-up). One connection, reused by the calls that follow (as {@code watch} does), each call a
 * new stream; one call at a time.
 *
 * <p>What it does not do goes through {@code fallback} (the Netty channel, built only then):
 * streaming methods, and requests larger than {@link #MAX_REQUEST_BYTES} (they would need the
 * server's flow-control window; a {@code start} with a very large spec). The connection advertises
 * a receive window of 2^31-1 bytes, so responses need no window updates.
 */
final class PlainGrpcChannel extends ManagedChannel {
  /** Requests up to this size fit in HTTP/2's initial flow-control window (65,535 bytes). */
  static final int MAX_REQUEST_BYTES = 60_000;

  private static final int FRAME_DATA = 0;
  private static final int FRAME_HEADERS = 1;
  private static final int FRAME_RST_STREAM = 3;
  private static final int FRAME_SETTINGS = 4;
  private static final int FRAME_PING = 6;
  private static final int FRAME_GOAWAY = 7;
  private static final int FRAME_CONTINUATION = 9;
  private static final int FLAG_END_STREAM = 0x1;
  private static final int FLAG_ACK = 0x1;
  private static final int FLAG_END_HEADERS = 0x4;
  private static final int FLAG_PADDED = 0x8;
  private static final int FLAG_PRIORITY = 0x20;
  private static final int MAX_FRAME = 16_384;
  private static final int MAX_WINDOW = Integer.MAX_VALUE;
  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final Pattern TARGET =
      Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|[^:/\\[\\]]+):(\\d{1,5})");

  private final String authority;
  private final String host;
  private final int port;
  private final Supplier<ManagedChannel> fallbackFactory;
  private ManagedChannel fallback;
  private Socket socket;
  private DataInputStream in;
  private OutputStream out;
  private Hpack hpack;
  private int nextStream;
  private volatile boolean shutdown;

  /**
   * A channel to {@code target} ({@code HOST:PORT}, see {@link #supports}); {@code fallback} builds
   * the channel for what this one does not do.
   */
  PlainGrpcChannel(String target, Supplier<ManagedChannel> fallback) {
    Matcher m = TARGET.matcher(target);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a HOST:PORT target: " + target);
    }
    this.authority = target;
    String h = m.group(1);
    this.host = h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
    this.port = Integer.parseInt(m.group(2));
    this.fallbackFactory = fallback;
  }

  /** Whether {@code target} is a plain {@code HOST:PORT} (no scheme such as {@code dns:///}). */
  static boolean supports(String target) {
    Matcher m = TARGET.matcher(target);
    return m.matches() && Integer.parseInt(m.group(2)) <= 65_535;
  }

  @Override
  public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
    if (method.getType() != MethodDescriptor.MethodType.UNARY) {
      return fallback().newCall(method, options);
    }
    return new UnaryCall<>(method, options);
  }

  @Override
  public String authority() {
    return authority;
  }

  private synchronized ManagedChannel fallback() {
    if (fallback == null) {
      fallback = fallbackFactory.get();
    }
    return fallback;
  }

  @Override
  public ManagedChannel shutdown() {
    shutdown = true;
    synchronized (this) {
      closeConnection();
      if (fallback != null) {
        fallback.shutdown();
      }
    }
    return this;
  }

  @Override
  public ManagedChannel shutdownNow() {
    shutdown = true;
    synchronized (this) {
      closeConnection();
      if (fallback != null) {
        fallback.shutdownNow();
      }
    }
    return this;
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown && (fallback == null || fallback.isTerminated());
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    ManagedChannel f;
    synchronized (this) {
      f = fallback;
    }
    return f == null || f.awaitTermination(timeout, unit);
  }

  private void closeConnection() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing: nothing left to do with it
      }
      socket = null;
    }
  }

  /** The outcome of one call. */
  private record Outcome(Metadata headers, byte[] message, Status status, Metadata trailers) {}

  /** One unary call: the request is sent and the answer read when the client half-closes. */
  private final class UnaryCall<Q, R> extends ClientCall<Q, R> {
    private final MethodDescriptor<Q, R> method;
    private final CallOptions options;
    private Listener<R> listener;
    private Metadata headers;
    private Q request;
    private int requested;
    private boolean cancelled;

    UnaryCall(MethodDescriptor<Q, R> method, CallOptions options) {
      this.method = method;
      this.options = options;
    }

    @Override
    public void start(Listener<R> listener, Metadata headers) {
      this.listener = listener;
      this.headers = headers;
    }

    @Override
    public void request(int numMessages) {
      requested += numMessages;
    }

    @Override
    public void cancel(String message, Throwable cause) {
      cancelled = true;
    }

    @Override
    public void sendMessage(Q message) {
      request = message;
    }

    @Override
    public void halfClose() {
      byte[] body;
      try (InputStream s = method.streamRequest(request)) {
        body = s.readAllBytes();
      } catch (IOException e) {
        deliver(new Outcome(null, null, Status.INTERNAL.withCause(e), new Metadata()));
        return;
      }
      if (body.length > MAX_REQUEST_BYTES) {
        ClientCall<Q, R> call = fallback().newCall(method, options);
        call.start(listener, headers);
        call.request(Math.max(requested, 1));
        call.sendMessage(request);
        call.halfClose();
        return;
      }
      Outcome o =
          cancelled
              ? new Outcome(null, null, Status.CANCELLED, new Metadata())
              : exchange(method.getFullMethodName(), headers, body, options.getDeadline());
      deliver(o);
    }

    private void deliver(Outcome o) {
      Runnable r =
          () -> {
            Status status = o.status();
            R response = null;
            if (status.isOk()) {
              try {
                response = method.parseResponse(new ByteArrayInputStream(o.message()));
              } catch (RuntimeException e) {
                status = Status.INTERNAL.withDescription("cannot parse the response").withCause(e);
              }
            }
            if (o.headers() != null) {
              listener.onHeaders(o.headers());
            }
            if (response != null) {
              listener.onMessage(response);
            }
            listener.onClose(status, o.trailers());
          };
      Executor executor = options.getExecutor();
      if (executor == null) {
        r.run();
      } else {
        executor.execute(r);
      }
    }
  }

  /** Sends one request on a new stream and reads until that stream ends. */
  private synchronized Outcome exchange(
      String fullMethodName, Metadata metadata, byte[] body, Deadline deadline) {
    if (shutdown) {
      return new Outcome(
          null, null, Status.UNAVAILABLE.withDescription("channel shut down"), new Metadata());
    }
    long timeoutMs = deadline == null ? 0 : deadline.timeRemaining(TimeUnit.MILLISECONDS);
    if (deadline != null && timeoutMs <= 0) {
      return new Outcome(
          null,
          null,
          Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded before the call"),
          new Metadata());
    }
    try {
      if (socket == null) {
        connect(timeoutMs);
      }
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs));
      int stream = nextStream;
      nextStream += 2;
      writeFrame(
          FRAME_HEADERS,
          FLAG_END_HEADERS,
          stream,
          requestHeaders(fullMethodName, metadata, timeoutMs));
      byte[] framed = new byte[body.length + 5];
      framed[1] = (byte) (body.length >>> 24);
      framed[2] = (byte) (body.length >>> 16);
      framed[3] = (byte) (body.length >>> 8);
      framed[4] = (byte) body.length;
      System.arraycopy(body, 0, framed, 5, body.length);
      for (int off = 0; off < framed.length; off += MAX_FRAME) {
        int n = Math.min(MAX_FRAME, framed.length - off);
        byte[] chunk = java.util.Arrays.copyOfRange(framed, off, off + n);
        writeFrame(FRAME_DATA, off + n == framed.length ? FLAG_END_STREAM : 0, stream, chunk);
      }
      out.flush();
      Outcome o = read(stream);
      if (!o.status().isOk() && deadline != null && deadline.isExpired()) {
        // the server gave up on the call when its deadline passed (RST_STREAM CANCEL)
        return new Outcome(
            o.headers(),
            null,
            Status.DEADLINE_EXCEEDED.withDescription(
                "the studio server at "
                    + authority
                    + " did not answer within "
                    + timeoutMs
                    + " ms"),
            o.trailers());
      }
      return o;
    } catch (SocketTimeoutException e) {
      closeConnection();
      return new Outcome(
          null,
          null,
          Status.DEADLINE_EXCEEDED
              .withDescription(
                  "the studio server at "
                      + authority
                      + " did not answer within "
                      + timeoutMs
                      + " ms")
              .withCause(e),
          new Metadata());
    } catch (IOException | RuntimeException e) {
      closeConnection();
      return new Outcome(
          null,
          null,
          Status.UNAVAILABLE
              .withDescription(
                  "cannot reach the studio server at "
                      + authority
                      + " ("
                      + e.getMessage()
                      + "); start it with `studio server`, or name it with --server HOST:PORT")
              .withCause(e),
          new Metadata());
    }
  }

  private void connect(long timeoutMs) throws IOException {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, timeoutMs));
      s.setTcpNoDelay(true);
      out = new BufferedOutputStream(s.getOutputStream(), 32 * 1024);
      in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 32 * 1024));
    } catch (IOException e) {
      s.close();
      throw e;
    }
    socket = s;
    hpack = new Hpack();
    nextStream = 1;
    out.write(PREFACE);
    // no server push; the largest stream window, and the connection window raised to match
    byte[] settings = {0, 2, 0, 0, 0, 0, 0, 4, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    writeFrame(FRAME_SETTINGS, 0, 0, settings);
    writeFrame(8, 0, 0, int32(MAX_WINDOW - 65_535));
  }

  private byte[] requestHeaders(String fullMethodName, Metadata metadata, long timeoutMs) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(256);
    Hpack.encodeLiteral(b, ":method", "POST");
    Hpack.encodeLiteral(b, ":scheme", "http");
    Hpack.encodeLiteral(b, ":path", "/" + fullMethodName);
    Hpack.encodeLiteral(b, ":authority", authority);
    Hpack.encodeLiteral(b, "content-type", "application/grpc");
    Hpack.encodeLiteral(b, "te", "trailers");
    if (timeoutMs > 0) {
      // at most 8 digits (gRPC over HTTP/2): milliseconds, or seconds beyond
      Hpack.encodeLiteral(
          b,
          "grpc-timeout",
          timeoutMs < 100_000_000L
              ? timeoutMs + "m"
              : Math.min(99_999_999L, timeoutMs / 1000) + "S");
    }
    if (metadata != null) {
      for (String key : metadata.keys()) {
        if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
          continue;
        }
        Iterable<String> values =
            metadata.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
        if (values != null) {
          for (String v : values) {
            Hpack.encodeLiteral(b, key.toLowerCase(Locale.ROOT), v);
          }
        }
      }
    }
    if (b.size() > MAX_FRAME) {
      throw new IllegalArgumentException(
          "request headers of " + b.size() + " bytes exceed one HTTP/2 frame");
    }
    return b.toByteArray();
  }

  /** Reads frames until {@code stream} ends; answers the server's SETTINGS and PINGs meanwhile. */
  private Outcome read(int stream) throws IOException {
    Metadata headers = null;
    Metadata trailers = null;
    String httpStatus = null;
    String grpcStatus = null;
    String grpcMessage = null;
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    boolean goAway = false;
    while (true) {
      int length =
          (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int sid = in.readInt() & 0x7fffffff;
      byte[] payload = new byte[length];
      in.readFully(payload);
      switch (type) {
        case FRAME_DATA -> {
          if (sid == stream) {
            int[] range = unpadded(payload, flags, 0);
            data.write(payload, range[0], range[1]);
          }
        }
        case FRAME_HEADERS -> {
          int[] range = unpadded(payload, flags, (flags & FLAG_PRIORITY) != 0 ? 5 : 0);
          ByteArrayOutputStream block = new ByteArrayOutputStream();
          block.write(payload, range[0], range[1]);
          int f = flags;
          while ((f & FLAG_END_HEADERS) == 0) {
            int len =
                (in.readUnsignedByte() << 16)
                    | (in.readUnsignedByte() << 8)
                    | in.readUnsignedByte();
            int t = in.readUnsignedByte();
            f = in.readUnsignedByte();
            in.readInt();
            if (t != FRAME_CONTINUATION) {
              throw new IOException("HTTP/2: frame type " + t + " inside a header block");
            }
            byte[] more = new byte[len];
            in.readFully(more);
            block.write(more);
          }
          List<String[]> fields = hpack.decode(block.toByteArray());
          if (sid == stream) {
            Metadata md = new Metadata();
            for (String[] field : fields) {
              switch (field[0]) {
                case ":status" -> httpStatus = field[1];
                case "grpc-status" -> grpcStatus = field[1];
                case "grpc-message" -> grpcMessage = percentDecode(field[1]);
                default -> {
                  if (!field[0].startsWith(":")
                      && !field[0].endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                    md.put(Metadata.Key.of(field[0], Metadata.ASCII_STRING_MARSHALLER), field[1]);
                  }
                }
              }
            }
            if (headers == null && (flags & FLAG_END_STREAM) == 0) {
              headers = md;
            } else {
              trailers = md;
            }
          }
        }
        case FRAME_RST_STREAM -> {
          if (sid == stream) {
            int code = int32At(payload);
            Status s =
                code == 7 ? Status.UNAVAILABLE : code == 8 ? Status.CANCELLED : Status.INTERNAL;
            return new Outcome(
                headers,
                null,
                s.withDescription("the server reset the call (HTTP/2 error " + code + ")"),
                new Metadata());
          }
        }
        case FRAME_SETTINGS -> {
          if ((flags & FLAG_ACK) == 0) {
            writeFrame(FRAME_SETTINGS, FLAG_ACK, 0, new byte[0]);
            out.flush();
          }
        }
        case FRAME_PING -> {
          if ((flags & FLAG_ACK) == 0) {
            writeFrame(FRAME_PING, FLAG_ACK, 0, payload);
            out.flush();
          }
        }
        case FRAME_GOAWAY -> {
          goAway = true;
          if ((int32At(payload) & 0x7fffffff) < stream) {
            closeConnection();
            return new Outcome(
                headers,
                null,
                Status.UNAVAILABLE.withDescription(
                    "the server closed the connection (GOAWAY) before the call"),
                new Metadata());
          }
        }
        default -> {
          // WINDOW_UPDATE, PRIORITY and unknown frames: nothing to do for a one-call client
        }
      }
      if (sid == stream
          && (flags & FLAG_END_STREAM) != 0
          && (type == FRAME_DATA || type == FRAME_HEADERS)) {
        break;
      }
    }
    if (goAway) {
      closeConnection();
    }
    Metadata t = trailers == null ? new Metadata() : trailers;
    if (grpcStatus == null) {
      return new Outcome(headers, null, httpStatus(httpStatus), t);
    }
    Status status = Status.fromCodeValue(Integer.parseInt(grpcStatus.strip()));
    if (grpcMessage != null) {
      status = status.withDescription(grpcMessage);
    }
    if (!status.isOk()) {
      return new Outcome(headers, null, status, t);
    }
    byte[] d = data.toByteArray();
    if (d.length < 5) {
      return new Outcome(
          headers, null, Status.INTERNAL.withDescription("No value received for unary call"), t);
    }
    int len = ((d[1] & 0xff) << 24) | ((d[2] & 0xff) << 16) | ((d[3] & 0xff) << 8) | (d[4] & 0xff);
    if (d[0] != 0 || len != d.length - 5) {
      return new Outcome(
          headers,
          null,
          Status.INTERNAL.withDescription(
              d[0] != 0
                  ? "a compressed response, not asked for"
                  : "the response is not one message"),
          t);
    }
    return new Outcome(headers, java.util.Arrays.copyOfRange(d, 5, d.length), status, t);
  }

  /** A status for a response without grpc-status, from its HTTP status (as grpc-java maps it). */
  private static Status httpStatus(String s) {
    int code = s == null ? 0 : Integer.parseInt(s);
    Status st =
        switch (code) {
          case 400, 431 -> Status.INTERNAL;
          case 401 -> Status.UNAUTHENTICATED;
          case 403 -> Status.PERMISSION_DENIED;
          case 404 -> Status.UNIMPLEMENTED;
          case 429, 502, 503, 504 -> Status.UNAVAILABLE;
          default -> Status.UNKNOWN;
        };
    return st.withDescription(
        code == 200 ? "the response has no grpc-status" : "HTTP status code " + code);
  }

  /** {@code [offset, length]} of a frame's content without its padding (and priority fields). */
  private static int[] unpadded(byte[] payload, int flags, int skip) throws IOException {
    int pad = 0;
    int off = 0;
    if ((flags & FLAG_PADDED) != 0) {
      pad = payload.length == 0 ? 0 : payload[0] & 0xff;
      off = 1;
    }
    off += skip;
    int len = payload.length - off - pad;
    if (len < 0) {
      throw new IOException("HTTP/2: padding longer than its frame");
    }
    return new int[] {off, len};
  }

  private static int int32At(byte[] b) {
    return b.length < 4
        ? 0
        : ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
  }

  private static byte[] int32(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  /** grpc-message is percent-encoded UTF-8. */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream(s.length());
    byte[] raw = s.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == '%' && i + 2 < raw.length) {
        int hi = Character.digit(raw[i + 1], 16);
        int lo = Character.digit(raw[i + 2], 16);
        if (hi >= 0 && lo >= 0) {
          b.write(hi * 16 + lo);
          i += 2;
          continue;
        }
      }
      b.write(raw[i]);
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  private void writeFrame(int type, int flags, int stream, byte[] payload) throws IOException {
    int n = payload.length;
    out.write(
        new byte[] {(byte) (n >>> 16), (byte) (n >>> 8), (byte) n, (byte) type, (byte) flags});
    out.write(int32(stream));
    out.write(payload);
  }
}
