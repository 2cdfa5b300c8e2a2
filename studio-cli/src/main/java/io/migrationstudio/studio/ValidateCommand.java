package io.migrationstudio.studio;

import io.grpc.ManagedChannel;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.StageStatus;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.proto.v1.GetRequest;
import io.migrationstudio.proto.v1.MigrationServiceGrpc;
import io.migrationstudio.proto.v1.StartRequest;
import io.migrationstudio.proto.v1.StartResponse;
import io.migrationstudio.worker.assessment.AssessmentWorker;
import io.migrationstudio.worker.validation.ValidationWorker;
import io.migrationstudio.workflow.OperatorService;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code studio validate SPEC}: the Validation stage alone against an existing source and target
 * (no copy, no review gates), all in this process: embedded Temporal, the workflow worker, and the
 * two activity workers it needs (assessment for the evidence, inventory and mapping; validation),
 * without the workflow service's context and servers (nobody else talks to this run). The report
 * goes to branch {@code validations/<id>}.
 */
@Command(
    name = "validate",
    description = {
      "Validate an existing source/target pair without copying (before or after cutover, or a"
          + " migration made by another tool).",
      "The mapping is generated from the source (spec mapping.naming), with mapping.overrides"
          + " merged.",
      "Exit 0 PASS, 1 FAIL (or an error), 2 invalid input. Evidence on branch validations/<id>.",
      "With --server HOST:PORT the run goes to a running studio server (rpc Validate) and this"
          + " command waits for its verdict."
    })
final class ValidateCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SPEC", description = "migration.yaml (or JSON)")
  Path spec;

  @Option(names = "--home", paramLabel = "DIR", description = "studio home (default ./.studio)")
  Path home;

  @Option(
      names = "--git-remote",
      paramLabel = "URI",
      description = "remote of the artifact repository (default: a bare repository in the home)")
  String gitRemote = System.getProperty("studio.git.remote");

  @Option(
      names = "--server",
      paramLabel = "HOST:PORT",
      description =
          "run on a running studio server (its operator API, e.g. localhost:7234) instead of in"
              + " this process; waits for the verdict")
  String server;

  /** TLS and the token of the operator API, with --server. */
  @picocli.CommandLine.Mixin ApiClientOptions api = new ApiClientOptions();

  @Override
  public Integer call() throws Exception {
    // UTF-8 or refused naming the first bad byte (INVALID_SPEC, exit 2)
    String text = SpecLoader.read(spec);
    if (server != null) {
      return remote(api.channel(server), server, text, System.out);
    }
    StudioHome h = StudioHome.of(home);
    Logs.init(h);
    Timings.mark("command started");
    return execute(h, text, gitRemote, System.out);
  }

  /** Seconds each operator API call may take (the wait itself is a sequence of status calls). */
  static final long CALL_DEADLINE_SECONDS = 60;

  /**
   * Starts the run through {@code rpc Validate} of a running server and follows it through {@code
   * rpc Get} (by the workflow id the server answered) until it ends; same output and exit codes as
   * the in-process run. An invalid spec is refused before anything is sent (exit 2). Shuts {@code
   * channel} down.
   */
  static int remote(ManagedChannel channel, String server, String specText, PrintStream out)
      throws InterruptedException {
    try {
      SpecLoader.parse(specText);
      StartResponse started =
          api(channel).validate(StartRequest.newBuilder().setSpecText(specText).build());
      out.printf(
          Locale.ROOT,
          "validation of %s started on %s (workflow %s, branch %s)%n",
          started.getMigrationId(),
          server,
          started.getWorkflowId(),
          started.getBranch());
      MigrationStatus end =
          new Watcher(null, out, "")
              .follow(
                  started.getMigrationId(),
                  () ->
                      ClientCommands.parse(
                          api(channel)
                              .get(
                                  GetRequest.newBuilder()
                                      .setMigrationId(started.getWorkflowId())
                                      .build())));
      return verdict(out, end, started.getWorkflowId());
    } finally {
      channel.shutdownNow();
    }
  }

  private static MigrationServiceGrpc.MigrationServiceBlockingStub api(ManagedChannel channel) {
    // a fresh deadline per call: a stub's deadline is absolute, and the wait may take hours
    return MigrationServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  /** Prints the verdict of a finished run; 0 on PASS, 1 on FAIL or an error. */
  private static int verdict(PrintStream out, MigrationStatus end, String workflowId) {
    StageStatus validation =
        end.stages().stream().filter(s -> s.stage() == Stage.VALIDATION).findFirst().orElseThrow();
    out.println();
    out.printf(
        Locale.ROOT,
        "validation %s %s (workflow %s)%n  %s%n",
        end.migrationId(),
        validation.verdict() == null ? "ERROR" : validation.verdict().name(),
        workflowId,
        validation.verdict() == null ? end.message() : validation.summary());
    out.printf(Locale.ROOT, "verdict table: %s%n", ArtifactPaths.VALIDATION_MD);
    out.printf(
        Locale.ROOT,
        "evidence: branch %s at %s%n",
        end.branch(),
        validation.commit() == null ? "?" : validation.commit());
    return end.state() == MigrationState.COMPLETED && validation.verdict() == Verdict.PASS
        ? StudioMain.EXIT_OK
        : StudioMain.EXIT_FAILED;
  }

  static int execute(StudioHome home, String specText, String gitRemote, PrintStream out)
      throws InterruptedException {
    // an invalid spec is refused (exit 2 through Errors) before the home is touched, while the
    // embedded Temporal starts alongside (stopped again then)
    try (Services services =
        Services.startInProcess(
            home,
            Set.of(AssessmentWorker.NAME, ValidationWorker.NAME),
            gitRemote,
            () -> SpecLoader.parse(specText))) {
      out.printf(
          Locale.ROOT,
          "studio: embedded Temporal at %s, home %s%n",
          services.temporalTarget(),
          home.root());
      OperatorService.Started started = services.operator().startValidation(specText);
      Timings.mark("workflow started");
      out.printf(
          Locale.ROOT,
          "validation of %s started (workflow %s, branch %s)%n",
          started.migrationId(),
          started.workflowId(),
          started.branch());
      MigrationStatus end =
          new Watcher(services.operator(), out, "")
              .followValidation(started.migrationId(), started.workflowId());
      Timings.mark("watcher saw the end");
      Services.settle(
          () -> services.operator().awaitValidation(started.workflowId(), LocalRun.SETTLE_MILLIS));
      Timings.mark("workflow returned");
      StageStatus validation =
          end.stages().stream()
              .filter(s -> s.stage() == Stage.VALIDATION)
              .findFirst()
              .orElseThrow();
      String head = services.store().head(end.branch()).orElse("?");
      out.println();
      out.printf(
          Locale.ROOT,
          "validation %s %s (workflow %s)%n  %s%n",
          end.migrationId(),
          validation.verdict() == null ? "ERROR" : validation.verdict().name(),
          started.workflowId(),
          validation.verdict() == null ? end.message() : validation.summary());
      out.printf(Locale.ROOT, "verdict table: %s%n", ArtifactPaths.VALIDATION_MD);
      out.printf(Locale.ROOT, "evidence: branch %s at %s%n", end.branch(), head);
      out.printf(
          Locale.ROOT,
          "  read it:  git --git-dir %s show %s:%s%n",
          home.remoteRepository(),
          end.branch(),
          ArtifactPaths.VALIDATION_MD);
      Timings.mark("verdict printed");
      return end.state() == MigrationState.COMPLETED && validation.verdict() == Verdict.PASS
          ? StudioMain.EXIT_OK
          : StudioMain.EXIT_FAILED;
    }
  }
}
