package io.migrationstudio.studio;

import io.migrationstudio.core.spec.AutoApproval;
import io.migrationstudio.core.spec.SpecException;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.core.spec.SpecProblem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "run",
    description = {
      "Run one migration to its end in this process (embedded Temporal, all workers).",
      "Exit 0 completed, 1 failed or rejected, 2 invalid input.",
      "Re-running with the same spec and home resumes from the evidence on the branch; the",
      "home's other unfinished runs are resumed alongside while this run lasts."
    })
final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SPEC", description = "migration.yaml (or JSON)")
  Path spec;

  @Option(
      names = "--auto-approve",
      paramLabel = "all|STAGES",
      description = {
        "force these gates to auto (comma list of stages, or all); an external gate whose stage",
        "lists approvers is never forced: naming it is refused, all leaves it external"
      })
  List<String> autoApprove = new ArrayList<>();

  @Option(names = "--home", paramLabel = "DIR", description = "studio home (default ./.studio)")
  Path home;

  @Option(
      names = "--api-port",
      description = "port of the operator API while the run lasts (default: any free port)")
  int apiPort;

  @Option(
      names = "--on-escalation",
      paramLabel = "fail|wait",
      description = {
        "when a checker fails under an auto gate and the gate escalates to ask: fail ends the run",
        "with exit 1, printing the verdict and how to continue (default); wait waits for a review"
      })
  String onEscalation = "fail";

  @Option(
      names = "--git-remote",
      paramLabel = "URI",
      description = "remote of the artifact repository (default: a bare repository in the home)")
  String gitRemote = System.getProperty("studio.git.remote");

  @Override
  public Integer call() throws Exception {
    StudioHome h = StudioHome.of(home);
    Logs.init(h);
    // UTF-8 or refused naming the first bad byte (INVALID_SPEC, exit 2)
    String text = SpecLoader.read(spec);
    boolean wait =
        switch (onEscalation) {
          case "fail" -> false;
          case "wait" -> true;
          default ->
              throw new SpecException(
                  List.of(
                      new SpecProblem(
                          "--on-escalation", onEscalation, "must be fail or wait (default fail)")));
        };
    LocalRun.Continuation again =
        wait
            ? null
            : new LocalRun.Continuation(
                spec.toString(), home == null ? null : home.toString(), autoApprove, gitRemote);
    return LocalRun.execute(
        h, text, AutoApproval.parse(autoApprove), apiPort, gitRemote, System.out, again);
  }
}
