package io.migrationstudio.studio;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.contracts.workflow.StageStatus;
import io.migrationstudio.core.spec.AutoApproval;
import io.migrationstudio.workflow.OperatorService;
import io.migrationstudio.workflow.Recovery;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One migration run to its end in this process: embedded Temporal, every worker, the operator API
 * (so {@code studio review --server} works from another terminal while a gate waits), and a watcher
 * printing each stage. Shared by {@code run} and {@code demo}.
 */
final class LocalRun {
  private LocalRun() {}

  /**
   * How the run was started, to print how to continue when an escalated gate ends it: the spec
   * path, the {@code --home} given (null: the default), the {@code --auto-approve} values and the
   * {@code --git-remote} given.
   */
  record Continuation(String spec, String home, List<String> autoApprove, String gitRemote) {
    Continuation {
      autoApprove = List.copyOf(autoApprove);
    }
  }

  /** Runs to the end; an escalated gate waits for a review (as {@code --on-escalation wait}). */
  static int execute(
      StudioHome home,
      String specText,
      AutoApproval autoApprove,
      int apiPort,
      String gitRemote,
      PrintStream out)
      throws InterruptedException {
    return execute(home, specText, autoApprove, apiPort, gitRemote, out, null);
  }

  /**
   * Runs to the end. With {@code stopOnEscalation} non-null, a checker that fails under an {@code
   * auto} gate (escalated to {@code ask}) ends the run with exit 1, printing the verdict, who may
   * approve and the commands that continue it; null waits for a review.
   */
  static int execute(
      StudioHome home,
      String specText,
      AutoApproval autoApprove,
      int apiPort,
      String gitRemote,
      PrintStream out,
      Continuation stopOnEscalation)
      throws InterruptedException {
    // refuse an invalid spec, or a secret reference this process's workers cannot resolve, before
    // anything starts (exit 2 through Errors)
    MigrationSpec spec = OperatorService.prepare(specText, autoApprove);
    printKeptExternal(out, autoApprove, spec);
    Services.secrets(home).requireResolvable(spec);
    // one live run per migration, in this home and on its target: a second one is refused
    try (RunLock lock = RunLock.acquire(home, spec);
        Services services =
            Services.start(
                home,
                null,
                0,
                new Services.ServicePorts(Services.LOOPBACK, apiPort, -1),
                Set.copyOf(Services.WORKERS),
                gitRemote)) {
      int port = services.apiPort();
      // this process drives the migration: a refused `studio run` of it names this operator API
      services.locks().adopt(spec.id(), lock);
      lock.servedAt("localhost:" + port);
      services.drivenBy("studio run " + spec.id());
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
      List<String> resumed = resumeOthers(services, home, spec.id(), out);
      MigrationStatus end =
          new Watcher(
                  services.operator(), out, " --server localhost:" + port, stopOnEscalation != null)
              .follow(started.migrationId());
      if (end.state() == MigrationState.AWAITING_REVIEW) {
        printEscalation(out, end, spec, stopOnEscalation, apiPort, home);
        printLeftUnfinished(out, services, resumed, home);
        return StudioMain.EXIT_FAILED;
      }
      // the status turns terminal before the workflow's last activity (PULL_REQUEST.md) has
      // pushed: wait for the workflow itself, so the head printed holds the summary and closing
      // the workers interrupts no push
      Services.settle(() -> services.operator().awaitOutcome(started.migrationId(), SETTLE_MILLIS));
      printEnd(out, end, services, home);
      printLeftUnfinished(out, services, resumed, home);
      return end.state() == MigrationState.COMPLETED ? StudioMain.EXIT_OK : StudioMain.EXIT_FAILED;
    }
  }

  /**
   * One line naming the external gates {@code --auto-approve all} leaves to their approvers (none:
   * nothing printed).
   */
  static void printKeptExternal(PrintStream out, AutoApproval autoApprove, MigrationSpec spec) {
    String kept = keptExternal(autoApprove, spec);
    if (!kept.isEmpty()) {
      out.println(kept);
    }
  }

  /**
   * {@code studio: --auto-approve all leaves the cutover gate external: carol may approve it}, or
   * empty when {@code all} leaves no gate external.
   */
  static String keptExternal(AutoApproval autoApprove, MigrationSpec spec) {
    java.util.Map<Stage, List<String>> kept = autoApprove.keptExternal(spec);
    if (kept.isEmpty()) {
      return "";
    }
    List<String> gates = new java.util.ArrayList<>();
    kept.forEach(
        (stage, approvers) ->
            gates.add(
                "the "
                    + stage.key()
                    + " gate external: "
                    + String.join(" or ", approvers)
                    + " may approve it"));
    return "studio: --auto-approve all leaves "
        + String.join("; ", gates)
        + " (a signed review, studio review)";
  }

  /**
   * The other unfinished runs of the home (a killed server's, a run stopped at an escalated gate):
   * re-created in this process as {@code studio server} does at its start, each under its run lock,
   * so they go on (and wait at their gates, reviewable through this run's operator API) while this
   * run lasts. Prints one line per run resumed or left alone (not the ended ones); returns the ids
   * of the migrations resumed.
   */
  private static List<String> resumeOthers(
      Services services, StudioHome home, String own, PrintStream out) {
    List<String> resumed = new java.util.ArrayList<>();
    for (Recovery.Outcome o : services.recover(home)) {
      if (o.id().equals(own) && o.branch().startsWith("migrations/")
          || !o.recovered() && o.detail().startsWith("ended ")) {
        continue;
      }
      out.printf(
          Locale.ROOT,
          "studio run: %s %s (%s)%n",
          o.recovered() ? "resumed" : "did not resume",
          o.branch(),
          o.detail());
      if (o.recovered() && o.branch().startsWith("migrations/")) {
        resumed.add(o.id());
      }
    }
    return resumed;
  }

  /**
   * The resumed migrations that have not ended when this run does: they stop with this process (as
   * at a kill) and resume from their evidence at the next {@code studio run} or {@code studio
   * server} of the home.
   */
  private static void printLeftUnfinished(
      PrintStream out, Services services, List<String> resumed, StudioHome home) {
    for (String id : resumed) {
      String where;
      try {
        MigrationStatus st = services.operator().status(id);
        if (st.state() != MigrationState.RUNNING && st.state() != MigrationState.AWAITING_REVIEW) {
          continue;
        }
        where = st.state() + (st.stage() == null ? "" : " in " + st.stage().key());
      } catch (RuntimeException e) {
        where = "state unknown: " + e.getMessage();
      }
      out.printf(
          Locale.ROOT,
          "studio run: migration %s (resumed by this run) is not done (%s): it stops with this run"
              + " and resumes from its evidence at the next `studio run` of this home or `studio"
              + " server --home %s`%n",
          id,
          where,
          home.root());
    }
  }

  /** How long a run waits for its ended workflow's last activity before it closes anyway. */
  static final long SETTLE_MILLIS = 60_000;

  /** Port printed in the continuation when this run had none fixed: the server's default. */
  static final int CONTINUE_PORT = 7234;

  /**
   * The run stopped at an escalated gate: the failing verdict, who may approve, and how to continue
   * (re-run waiting for the review, approve from another terminal; or fix the cause and re-run).
   */
  static void printEscalation(
      PrintStream out,
      MigrationStatus end,
      MigrationSpec spec,
      Continuation how,
      int apiPort,
      StudioHome home) {
    Stage stage = end.stage();
    StageStatus st =
        end.stages().stream().filter(s -> s.stage() == stage).findFirst().orElseThrow();
    out.println();
    out.printf(
        Locale.ROOT,
        "migration %s stopped: the %s checker's verdict is %s under an auto gate, so the gate"
            + " escalated to ask and waits for a person%n",
        end.migrationId(),
        stage.key(),
        st.verdict());
    out.printf(Locale.ROOT, "  verdict:  %s%n", st.summary());
    out.printf(
        Locale.ROOT,
        "  read it:  git --git-dir %s show --stat %s%n",
        home.remoteRepository(),
        end.reviewCommit());
    List<String> approvers = Watcher.approvers(spec, stage);
    String reviewer;
    if (approvers.isEmpty()) {
      reviewer = "NAME";
      out.printf(
          Locale.ROOT,
          "  approvers: none is listed for %s; add a reviewer under approvers.%s or"
              + " approvers.default in %s first, and name them as NAME below%n",
          stage.key(),
          stage.key(),
          how.spec());
    } else {
      reviewer = approvers.get(0);
      out.printf(
          Locale.ROOT,
          "  approvers: %s may approve %s (approvers.%s, approvers.default)%n",
          String.join(", ", approvers),
          stage.key(),
          stage.key());
    }
    int port = apiPort > 0 ? apiPort : CONTINUE_PORT;
    StringBuilder rerun = new StringBuilder("studio run ").append(how.spec());
    if (how.home() != null) {
      rerun.append(" --home ").append(how.home());
    }
    for (String a : how.autoApprove()) {
      rerun.append(" --auto-approve ").append(a);
    }
    if (how.gitRemote() != null && !how.gitRemote().isBlank()) {
      rerun.append(" --git-remote ").append(how.gitRemote());
    }
    rerun.append(" --on-escalation wait --api-port ").append(port);
    out.println("  to approve it: run again, waiting for the review at this gate:");
    out.println("    " + rerun);
    out.printf(
        Locale.ROOT,
        "  then, from another terminal, once %s waits for review:%n    studio review %s --stage %s"
            + " --approve --reviewer %s%s --server localhost:%d%n",
        stage.key(),
        end.migrationId(),
        stage.key(),
        reviewer,
        spec.reviews().signed() ? " --sign-key ~/.ssh/id_ed25519" : "",
        port);
    out.println(
        "  or fix the cause and run again as before: stages approved earlier are not redone");
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
