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
}
