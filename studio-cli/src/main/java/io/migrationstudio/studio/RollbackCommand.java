package io.migrationstudio.studio;

import io.grpc.ManagedChannel;
import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.TaskQueues;
import io.migrationstudio.contracts.activity.CaptureStarted;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.cutover.CutoverService;
import io.migrationstudio.core.cutover.reverse.ReverseStream;
import io.migrationstudio.core.cutover.reverse.RollbackLog;
import io.migrationstudio.core.cutover.reverse.RollbackService;
import io.migrationstudio.core.git.GitArtifactStore;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingLoader;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.spec.SecretResolver;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.proto.v1.ControlRequest;
import io.migrationstudio.proto.v1.MigrationStatusReply;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code studio rollback ID}: asks the running migration {@code ID} on a studio server to roll back
 * (the workflow's {@code rollback} control, {@code rpc Control}: it stops its reverse stream,
 * drains it under the target's freeze and unfreezes the source, committing {@code
 * 05-cutover/rollback-log.{json,md}}). {@code studio rollback SPEC}: switches a cut-over migration
 * back to its source without losing the writes made on the target since the switch ({@link
 * RollbackService}: freeze the target, drain the reverse stream to an end marker, set the source's
 * sequences, switch traffic back through {@code cutover.switch}, unfreeze the source), and commits
 * {@code 05-cutover/rollback-log.{json,md}} to the migration's branch when it has one. {@code
 * --start-reverse} starts the reverse stream ({@link ReverseStream#prepare}): run it at the switch
 * point, before the target takes application writes, until the cutover does it itself.
 */
@Command(
    name = "rollback",
    description = {
      "ID: ask the running migration ID on a studio server (--server) to roll back: its workflow"
          + " drains the reverse stream it runs since the switch and switches back; follow it with"
          + " `studio watch ID`.",
      "SPEC: roll a switched migration back to its source here: freeze the target, bring every write made"
          + " on the target since the switch back to the source through the reverse stream, set"
          + " the source's sequences, switch traffic back (cutover.switch: config-file, command,"
          + " pgbouncer), unfreeze the source. Each step is timed in"
          + " 05-cutover/rollback-log.md.",
      "--start-reverse starts the reverse stream instead: run it at the switch point, before the"
          + " target takes application writes.",
      "Exit 0 rolled back (or reverse stream started), 1 failed (the source stays frozen, the"
          + " target takes writes again), 2 invalid input."
    })
final class RollbackCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "SPEC|ID",
      description = "the migration's migration.yaml, or the id of a running migration")
  Path spec;

  @Option(
      names = "--server",
      paramLabel = "HOST:PORT",
      description =
          "ID form: operator API of the studio server running it (default ${DEFAULT-VALUE})")
  String server = "localhost:7234";

  @Option(names = "--by", description = "ID form: who asks (default: the user name)")
  String by = System.getProperty("user.name");

  @Option(names = "--reason", description = "ID form: why (recorded with the rollback)")
  String reason = "";

  /** TLS and the token of the operator API (ID form). */
  @picocli.CommandLine.Mixin ApiClientOptions api = new ApiClientOptions();

  @Option(
      names = "--mapping",
      paramLabel = "FILE",
      description =
          "the mapping.yaml the migration used (default: 02-mapping/mapping.yaml on branch"
              + " migrations/<id>)")
  Path mapping;

  @Option(
      names = "--start-reverse",
      description = "start the reverse stream (at the switch point) instead of rolling back")
  boolean startReverse;

  @Option(
      names = "--drain-timeout",
      paramLabel = "DURATION",
      defaultValue = "PT2M",
      description = "how long the reverse stream may take to reach the end marker (ISO-8601)")
  String drainTimeout;

  @Option(names = "--home", paramLabel = "DIR", description = "studio home (default ./.studio)")
  Path home;

  @Override
  public Integer call() {
    if (!Files.isRegularFile(spec) && SpecLoader.ID.matcher(spec.toString()).matches()) {
      return askServer(spec.toString(), System.out);
    }
    StudioHome h = StudioHome.of(home);
    Logs.init(h);
    MigrationSpec s = SpecLoader.parse(SpecLoader.read(spec));
    Duration timeout = duration(drainTimeout);
    try (GitArtifactStore store = GitArtifactStore.open(h.root(), null)) {
      return execute(s, mapping(store, s), store, Services.secrets(h), timeout, System.out);
    }
  }

  int execute(
      MigrationSpec s,
      MappingDocument m,
      GitArtifactStore store,
      SecretResolver secrets,
      Duration timeout,
      PrintStream out) {
    if (startReverse) {
      CaptureStarted started = new ReverseStream(secrets).prepare(s, m, s.id());
      out.println(
          "reverse stream "
              + started.capture()
              + " started on the target at "
              + started.position()
              + "; roll back with `studio rollback "
              + spec
              + "`");
      return StudioMain.EXIT_OK;
    }
    RollbackLog log =
        new RollbackService(secrets)
            .rollback(s, m, s.id(), null, timeout, CutoverService.switchBack(s, secrets));
    out.print(log.markdown());
    String branch = TaskQueues.branch(s.id());
    if (store.head(branch).isPresent()) {
      var outcome =
          store.commit(
              branch,
              Stage.CUTOVER.producerRole(),
              "Rollback: " + log.summary(),
              RollbackService.evidence(log).files());
      out.println("\nrollback log: branch " + branch + " at " + outcome.head());
    }
    return log.verdict() == Verdict.PASS ? StudioMain.EXIT_OK : StudioMain.EXIT_FAILED;
  }

  /** The ID form: the {@code rollback} control of the running migration {@code id}. */
  private int askServer(String id, PrintStream out) {
    ManagedChannel channel = api.channel(server);
    try {
      MigrationStatusReply r =
          ClientCommands.stub(channel)
              .control(
                  ControlRequest.newBuilder()
                      .setMigrationId(id)
                      .setAction("rollback")
                      .setBy(by == null ? "" : by)
                      .setReason(reason == null ? "" : reason)
                      .build());
      out.println(
          "rollback of "
              + id
              + " accepted: the reverse stream is drained under the target's freeze, then the"
              + " source takes writes again; follow it with `studio watch "
              + id
              + "`");
      ClientCommands.printStatus(out, ClientCommands.parse(r));
      return StudioMain.EXIT_OK;
    } finally {
      channel.shutdownNow();
    }
  }

  private MappingDocument mapping(GitArtifactStore store, MigrationSpec s) {
    if (mapping != null) {
      try {
        return MappingLoader.read(Files.readAllBytes(mapping), mapping.toString());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read --mapping " + mapping, e);
      }
    }
    String branch = TaskQueues.branch(s.id());
    return store
        .read(branch, ArtifactPaths.MAPPING_YAML)
        .map(b -> MappingLoader.read(b, ArtifactPaths.MAPPING_YAML + " on " + branch))
        .orElseThrow(
            () ->
                new MigrationException(
                    ErrorCode.INVALID_SPEC,
                    "branch "
                        + branch
                        + " has no "
                        + ArtifactPaths.MAPPING_YAML
                        + ": the migration "
                        + s.id()
                        + " did not reach Mapping in this studio home; pass --mapping FILE"));
  }

  private static Duration duration(String text) {
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw new MigrationException(
          ErrorCode.INVALID_SPEC,
          "--drain-timeout '" + text + "' is not an ISO-8601 duration; use e.g. PT2M");
    }
  }
}
