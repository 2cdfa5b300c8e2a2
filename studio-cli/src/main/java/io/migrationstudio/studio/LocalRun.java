package io.migrationstudio.studio;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.workflow.OperatorService;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Set;

/**
 * One migration run to its end in this process: embedded Temporal, every worker, the operator API
 * (so {@code studio review --server} works from another terminal while a gate waits), and a watcher
 * printing each stage. Shared by {@code run} and {@code demo}.
 */
final class LocalRun {
  private LocalRun() {}

  static int execute(
      StudioHome home,
      String specText,
      Set<Stage> autoApprove,
      int apiPort,
      String gitRemote,
      PrintStream out)
      throws InterruptedException {
    // refuse an invalid spec, or a secret reference this process's workers cannot resolve, before
    // anything starts (exit 2 through Errors)
    Services.secrets(home).requireResolvable(OperatorService.prepare(specText, autoApprove));
    try (Services services =
        Services.start(
            home,
            null,
            0,
            new Services.ServicePorts(Services.LOOPBACK, apiPort, -1),
            Set.copyOf(Services.WORKERS),
            gitRemote)) {
      int port = services.apiPort();
      out.printf(
          Locale.ROOT,
          "studio: embedded Temporal at %s, operator API at localhost:%d, home %s%n",
          services.temporalTarget(),
          port,
          home.root());
      OperatorService.Started started = services.operator().start(specText, autoApprove);
      out.printf(
          Locale.ROOT,
          "migration %s started (workflow %s, branch %s)%n",
          started.migrationId(),
          started.workflowId(),
          started.branch());
      MigrationStatus end =
          new Watcher(services.operator(), out, " --server localhost:" + port)
              .follow(started.migrationId());
      printEnd(out, end, services, home);
      return end.state() == MigrationState.COMPLETED ? StudioMain.EXIT_OK : StudioMain.EXIT_FAILED;
    }
  }

  private static void printEnd(
      PrintStream out, MigrationStatus end, Services services, StudioHome home) {
    out.println();
    out.printf(Locale.ROOT, "migration %s %s: %s%n", end.migrationId(), end.state(), end.message());
    long accepted = end.reviews().stream().filter(ReviewRecord::accepted).count();
    out.printf(Locale.ROOT, "reviews recorded: %d%n", accepted);
    String head = services.store().head(end.branch()).orElse("?");
    out.printf(Locale.ROOT, "evidence: branch %s at %s%n", end.branch(), head);
    out.printf(
        Locale.ROOT,
        "  read it:  git --git-dir %s log --stat %s%n",
        home.remoteRepository(),
        end.branch());
    out.printf(
        Locale.ROOT,
        "            git --git-dir %s show %s:04-validation/validation.md%n",
        home.remoteRepository(),
        end.branch());
    out.printf(
        Locale.ROOT, "  or clone: git clone -b %s %s%n", end.branch(), home.remoteRepository());
  }
}
