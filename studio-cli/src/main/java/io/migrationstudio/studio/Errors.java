package io.migrationstudio.studio;

import io.grpc.StatusRuntimeException;
import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import picocli.CommandLine;

/** Turns failures into one clear line (no stack trace) and the documented exit codes. */
final class Errors implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
    if (ex instanceof MigrationException m) {
      cmd.getErr().println("error [" + m.code() + "]: " + m.getMessage());
      return m.code() == ErrorCode.INVALID_SPEC ? StudioMain.EXIT_INVALID : StudioMain.EXIT_FAILED;
    }
    if (ex instanceof StatusRuntimeException s && tlsFailure(s) != null) {
      cmd.getErr()
          .println(
              "error ["
                  + s.getStatus().getCode()
                  + "]: TLS with the studio server failed ("
                  + tlsFailure(s)
                  + "); check --tls-ca (the CA of the server's certificate) and, when the server"
                  + " requires client certificates, --tls-cert and --tls-key");
      return StudioMain.EXIT_FAILED;
    }
    if (ex instanceof StatusRuntimeException s && unreachable(s) != null) {
      cmd.getErr()
          .println(
              "error [UNAVAILABLE]: cannot reach the studio server ("
                  + unreachable(s)
                  + "); start it with `studio server`, or name it with --server HOST:PORT");
      return StudioMain.EXIT_FAILED;
    }
    if (ex instanceof StatusRuntimeException s) {
      cmd.getErr()
          .println(
              "error ["
                  + s.getStatus().getCode()
                  + "]: "
                  + (s.getStatus().getDescription() == null
                      ? "the studio server is not reachable; start it with `studio server`"
                      : s.getStatus().getDescription()));
      return s.getStatus().getCode() == io.grpc.Status.Code.INVALID_ARGUMENT
          ? StudioMain.EXIT_INVALID
          : StudioMain.EXIT_FAILED;
    }
    if (ex instanceof IllegalArgumentException) {
      cmd.getErr().println("error: " + ex.getMessage());
      return StudioMain.EXIT_INVALID;
    }
    if (ex instanceof IllegalStateException && ex.getMessage() != null) {
      // a condition the command explains itself (e.g. Temporal did not answer in time)
      cmd.getErr().println("error: " + MigrationException.redact(ex.getMessage()));
      org.slf4j.LoggerFactory.getLogger(Errors.class).error("command failed", ex);
      return StudioMain.EXIT_FAILED;
    }
    cmd.getErr()
        .println(
            "error: "
                + ex.getClass().getSimpleName()
                + ": "
                + MigrationException.redact(String.valueOf(ex.getMessage()))
                + " (details in the log under the studio home)");
    org.slf4j.LoggerFactory.getLogger(Errors.class).error("command failed", ex);
    return StudioMain.EXIT_FAILED;
  }

  /** The connection failure under an UNAVAILABLE call ("Class: message"), or null. */
  static String unreachable(StatusRuntimeException e) {
    if (e.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE) {
      return null;
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.net.ConnectException
          || t instanceof java.net.UnknownHostException
          || t instanceof java.net.NoRouteToHostException) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
      }
    }
    return null;
  }

  /** The TLS exception under a failed call, if TLS is why it failed: "Class: message". */
  static String tlsFailure(StatusRuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof javax.net.ssl.SSLException
          || t.getClass().getSimpleName().equals("NotSslRecordException")) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
      }
    }
    return null;
  }
}
