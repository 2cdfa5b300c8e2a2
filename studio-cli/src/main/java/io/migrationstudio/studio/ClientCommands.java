package io.migrationstudio.studio;

import io.grpc.ManagedChannel;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.workflow.Decision;
import io.migrationstudio.contracts.workflow.MigrationState;
import io.migrationstudio.contracts.workflow.MigrationStatus;
import io.migrationstudio.contracts.workflow.ReviewRecord;
import io.migrationstudio.contracts.workflow.StageStatus;
import io.migrationstudio.contracts.workflow.TableProgress;
import io.migrationstudio.core.identity.ReviewPayload;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.spec.AutoApproval;
import io.migrationstudio.core.spec.SpecLoader;
import io.migrationstudio.proto.v1.ArtifactEntry;
import io.migrationstudio.proto.v1.GetRequest;
import io.migrationstudio.proto.v1.ListArtifactsRequest;
import io.migrationstudio.proto.v1.ListArtifactsResponse;
import io.migrationstudio.proto.v1.ListRequest;
import io.migrationstudio.proto.v1.ListResponse;
import io.migrationstudio.proto.v1.MigrationServiceGrpc;
import io.migrationstudio.proto.v1.MigrationStatusReply;
import io.migrationstudio.proto.v1.ReadArtifactRequest;
import io.migrationstudio.proto.v1.ReviewRequest;
import io.migrationstudio.proto.v1.StartRequest;
import io.migrationstudio.proto.v1.StartResponse;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Client commands against a running {@code studio server} (gRPC operator API). */
final class ClientCommands {
  private ClientCommands() {}

  abstract static class Client implements Callable<Integer> {
    @Option(
        names = "--server",
        paramLabel = "HOST:PORT",
        description = "operator API of a running studio server (default ${DEFAULT-VALUE})")
    String server = "localhost:7234";

    @Option(names = "--json", description = "print the JSON record instead of text")
    boolean json;

    /** TLS and the token of the operator API. */
    @picocli.CommandLine.Mixin ApiClientOptions api = new ApiClientOptions();

    /** The channel of this call (commands that outlive one RPC deadline make their own stubs). */
    ManagedChannel channel;

    @Override
    public final Integer call() throws Exception {
      channel = api.channel(server);
      try {
        return call(stub(channel), System.out);
      } finally {
        channel.shutdownNow();
      }
    }

    abstract int call(MigrationServiceGrpc.MigrationServiceBlockingStub api, PrintStream out)
        throws Exception;
  }

  /** A stub whose calls must answer within a minute (the deadline starts now). */
  static MigrationServiceGrpc.MigrationServiceBlockingStub stub(ManagedChannel channel) {
    return MigrationServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  /**
   * Follows migration {@code id} on the server until it ends (stages as they change, copy progress
   * with rows/s and ETA, the review command when a gate waits), one status call every half second
   * over one connection; exit 0 when it completed, 1 otherwise.
   */
  static int follow(ManagedChannel channel, String server, String id, PrintStream out)
      throws InterruptedException {
    MigrationStatus end =
        new Watcher(null, out, " --server " + server)
            .follow(
                id,
                () -> parse(stub(channel).get(GetRequest.newBuilder().setMigrationId(id).build())));
    out.printf(
        Locale.ROOT, "%nmigration %s %s: %s%n", end.migrationId(), end.state(), end.message());
    return end.state() == MigrationState.COMPLETED ? StudioMain.EXIT_OK : StudioMain.EXIT_FAILED;
  }

  @Command(
      name = "watch",
      description =
          "Follow a migration on a running server until it ends (exit 0 when it completes).")
  static final class Watch extends Client {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    int call(MigrationServiceGrpc.MigrationServiceBlockingStub api, PrintStream out)
        throws InterruptedException {
      return follow(channel, server, id, out);
    }
  }

  static MigrationStatus parse(MigrationStatusReply reply) {
    return Json.read(
        reply.getStatusJson().getBytes(StandardCharsets.UTF_8), MigrationStatus.class, "status");
  }

  /** The status for people: stages, progress, reviews. */
  static void printStatus(PrintStream out, MigrationStatus s) {
    out.printf(
        Locale.ROOT,
        "%s %s  %s  stage %s  branch %s%n  %s%n",
        MigrationStatus.KIND_VALIDATION.equals(s.kind())
            ? "validation run " + s.workflowId() + " of"
            : "migration",
        s.migrationId(),
        s.state(),
        s.stage() == null ? "-" : s.stage().key(),
        s.branch(),
        s.message());
    if (s.reviewCommit() != null) {
      out.printf(Locale.ROOT, "  awaiting review of commit %s%n", s.reviewCommit());
    }
    for (StageStatus st : s.stages()) {
      out.printf(
          Locale.ROOT,
          "  %-10s %-17s gate %-8s %-5s %s%n",
          st.stage().key(),
          st.state(),
          st.gate().key(),
          st.verdict() == null ? "" : st.verdict(),
          st.commit() == null ? "" : st.commit().substring(0, 12));
    }
    if (s.progress().chunksTotal() > 0) {
      out.printf(
          Locale.ROOT,
          "  copy: %d/%d chunks, %,d of ~%,d rows%n",
          s.progress().chunksDone(),
          s.progress().chunksTotal(),
          s.progress().rowsCopied(),
          s.progress().rowsEstimated());
      for (TableProgress t : s.progress().tables()) {
        out.printf(
            Locale.ROOT,
            "    %-30s %,12d / ~%,d rows  %d/%d chunks%s%n",
            t.table(),
            t.rowsCopied(),
            t.rowsEstimated(),
            t.chunksDone(),
            t.chunksTotal(),
            Watcher.rateAndEta(t));
      }
    }
    if (s.stream() != null) {
      out.println("  " + s.stream().line());
    }
    if (s.hypercare() != null) {
      out.println("  " + s.hypercare().describe(System.currentTimeMillis()));
    }
    for (ReviewRecord r : s.reviews()) {
      out.printf(
          Locale.ROOT,
          "  review %s %s by %s on %s%s%n",
          r.stage() == null ? "?" : r.stage().key(),
          r.decision(),
          r.reviewer(),
          r.commit() == null ? "?" : r.commit().substring(0, Math.min(12, r.commit().length())),
          r.accepted() ? "" : " (refused: " + r.note() + ")");
    }
  }

  @Command(name = "start", description = "Start a migration on a running server.")
  static final class Start extends Client {
    @Parameters(index = "0", paramLabel = "SPEC")
    Path spec;

    @Option(
        names = "--auto-approve",
        paramLabel = "all|STAGES",
        description = {
          "force these gates to auto (comma list of stages, or all); an external gate whose stage",
          "lists approvers is never forced: naming it is refused, all leaves it external"
        })
    List<String> autoApprove = new ArrayList<>();

    @Option(
        names = "--follow",
        description = "stay until the migration ends, as `studio watch` (exit 0 when it completes)")
    boolean follow;

    @Override
    int call(MigrationServiceGrpc.MigrationServiceBlockingStub api, PrintStream out)
        throws InterruptedException {
      // UTF-8 or refused naming the first bad byte (INVALID_SPEC, exit 2)
      String text = SpecLoader.read(spec);
      StartRequest request =
          StartRequest.newBuilder()
              .setSpecText(text)
              .addAllAutoApprove(autoApprove)
              .setStartToken(java.util.UUID.randomUUID().toString())
              .build();
      StartResponse r = startAskingAgain(api, request, System.err);
      if (json) {
        out.println(
            Json.writeCompact(
                java.util.Map.of(
                    "migration_id", r.getMigrationId(),
                    "workflow_id", r.getWorkflowId(),
                    "branch", r.getBranch())));
      } else {
        out.printf(
            Locale.ROOT,
            "started %s (workflow %s, branch %s)%n",
            r.getMigrationId(),
            r.getWorkflowId(),
            r.getBranch());
        // the server applied the same rule to the same text: name the gates left to approvers
        LocalRun.printKeptExternal(out, AutoApproval.parse(autoApprove), SpecLoader.parse(text));
      }
      return follow ? follow(channel, server, r.getMigrationId(), out) : StudioMain.EXIT_OK;
    }
  }

  /** Calls of a start that timed out or found the server unavailable, in all. */
  static final int START_ATTEMPTS = 5;

  /**
   * The start, asked again with the same token (a fresh deadline each time) when the server did not
   * answer in time or was unavailable: a start whose answer was lost may have started the
   * migration, and the token makes the server answer with it instead of "already running".
   */
  static StartResponse startAskingAgain(
      MigrationServiceGrpc.MigrationServiceBlockingStub first,
      StartRequest request,
      PrintStream err)
      throws InterruptedException {
    MigrationServiceGrpc.MigrationServiceBlockingStub api = first;
    for (int attempt = 1; ; attempt++) {
      try {
        return api.start(request);
      } catch (io.grpc.StatusRuntimeException e) {
        io.grpc.Status.Code code = e.getStatus().getCode();
        boolean again =
            code == io.grpc.Status.Code.DEADLINE_EXCEEDED
                || code == io.grpc.Status.Code.UNAVAILABLE;
        if (!again || attempt >= START_ATTEMPTS) {
          throw e;
        }
        err.printf(
            Locale.ROOT,
            "the server did not answer the start (%s); asking again with the same start token"
                + " (attempt %d of %d)%n",
            code,
            attempt + 1,
            START_ATTEMPTS);
        Thread.sleep(1_000L * attempt);
        api = first.withDeadlineAfter(60, TimeUnit.SECONDS);
      }
    }
  }

  @Command(
      name = "status",
      description = "Show a migration's status (or a validation run's, by its workflow id).")
  static final class Status extends Client {
    @Parameters(
        index = "0",
        paramLabel = "ID",
        description = "migration id, or validation-<id>-<n> for a validation-only run")
    String id;

    @Override
    int call(MigrationServiceGrpc.MigrationServiceBlockingStub api, PrintStream out) {
      MigrationStatusReply r = api.get(GetRequest.newBuilder().setMigrationId(id).build());
      if (json) {
        out.println(r.getStatusJson());
      } else {
        printStatus(out, parse(r));
      }
      return StudioMain.EXIT_OK;
    }
  }

  @Command(
      name = "list",
      description = "List the migrations and validation-only runs a server knows.")
  static final class ListMigrations extends Client {
    @Option(
        names = "--stage",
        paramLabel = "STAGE",
        description = "only runs at this stage (assessment, mapping, migrate, validation, cutover)")
    String stage = "";

    @Option(
        names = "--state",
        paramLabel = "STATE",
        description =
            "only runs in this state (RUNNING, AWAITING_REVIEW, COMPLETED, FAILED, REJECTED,"
                + " CANCELLED)")
    String state = "";

    @Override
    int call(MigrationServiceGrpc.MigrationServiceBlockingStub api, PrintStream out) {
      ListResponse r = api.list(ListRequest.newBuilder().setStage(stage).setState(state).build());
      if (json) {
        out.println(
            "["
                + String.join(
                    ",",
                    r.getMigrationsList().stream()
                        .map(MigrationStatusReply::getStatusJson)
                        .toList())
                + "]");
      } else {
        for (MigrationStatusReply m : r.getMigrationsList()) {
          // a validation run is addressed by its workflow id (`studio status validation-<id>-<n>`)
          boolean validation = MigrationStatus.KIND_VALIDATION.equals(m.getKind());
          out.printf(
              Locale.ROOT,
              "%-10s %-32s %-16s %s%n",
              m.getKind().isEmpty() ? MigrationStatus.KIND_MIGRATION : m.getKind(),
              validation ? m.getWorkflowId() : m.getMigrationId(),
              m.getState(),
              m.getStage());
        }
      }
      return StudioMain.EXIT_OK;
    }
  }

  @Command(name = "review", description = "Approve, request changes on, or reject a waiting stage.")
  static final class ReviewStage extends Client {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Option(names = "--stage", required = true, description = "the stage under review")
    String stage;

    @ArgGroup(exclusive = true, multiplicity = "1")
    DecisionGroup decision;

    static final class DecisionGroup {
      @Option(names = "--approve")
      boolean approve;

      @Option(names = "--request-changes")
      boolean requestChanges;

      @Option(names = "--reject")
      boolean reject;
    }

    @Option(
        names = "--reviewer",
        description = "who decides (default: the user name, ${DEFAULT-VALUE})")
    String reviewer = System.getProperty("user.name");

    @Option(names = "--comment")
    String comment = "";

    @Option(
        names = "--commit",
        description = "the commit reviewed (default: the commit under review)")
    String commit = "";

    @ArgGroup(exclusive = true)
    SigningGroup signing;

    static final class SigningGroup {
      @Option(
          names = "--sign-key",
          paramLabel = "KEY",
          description =
              "sign the review with this SSH key (runs ssh-keygen -Y sign -n migration-studio -f"
                  + " KEY; a .pub file signs through ssh-agent); required when the spec says"
                  + " reviews.identity: ssh")
      Path signKey;

      @Option(
          names = "--signature",
          paramLabel = "FILE",
          description = "an armored SSH signature of the --print-payload text, made elsewhere")
      Path signature;

      @Option(
          names = "--print-payload",
          description =
              "print the exact text to sign (ssh-keygen -Y sign -n migration-studio) and"
                  + " send nothing")
      boolean printPayload;
    }

    @Override
    int call(MigrationServiceGrpc.MigrationServiceBlockingStub api, PrintStream out)
        throws Exception {
      String d =
          decision.approve ? "APPROVE" : decision.requestChanges ? "REQUEST_CHANGES" : "REJECT";
      String signature = "";
      if (signing != null) {
        // the signature covers the exact commit: name it before signing
        String reviewed = commit.isBlank() ? ReviewSigning.commitUnderReview(api, id) : commit;
        String payload =
            ReviewPayload.text(id, Stage.fromKey(stage), Decision.valueOf(d), reviewed, reviewer);
        if (signing.printPayload) {
          out.print(payload);
          return StudioMain.EXIT_OK;
        }
        commit = reviewed;
        signature =
            signing.signKey != null
                ? ReviewSigning.sshKeygenSign(signing.signKey, payload)
                : ReviewSigning.read(signing.signature);
      }
      MigrationStatusReply r =
          api.review(
              ReviewRequest.newBuilder()
                  .setMigrationId(id)
                  .setStage(stage)
                  .setDecision(d)
                  .setReviewer(reviewer)
                  .setComment(comment)
                  .setCommit(commit)
                  .setSignature(signature)
                  .build());
      if (json) {
        out.println(r.getStatusJson());
      } else {
        out.printf(Locale.ROOT, "%s recorded for %s of %s%n", d, stage, id);
        printStatus(out, parse(r));
      }
      return StudioMain.EXIT_OK;
    }
  }

  /** {@code cancel}, {@code pause}, {@code resume}, {@code throttle}: one control RPC each. */
  abstract static class Control extends Client {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Option(names = "--by", description = "who asks (default: the user name, ${DEFAULT-VALUE})")
    String by = System.getProperty("user.name");

    abstract String action();

    String reason() {
      return "";
    }

    long rowsPerSecond() {
      return 0;
    }

    @Override
    int call(MigrationServiceGrpc.MigrationServiceBlockingStub api, PrintStream out) {
      MigrationStatusReply r =
          api.control(
              io.migrationstudio.proto.v1.ControlRequest.newBuilder()
                  .setMigrationId(id)
                  .setAction(action())
                  .setBy(by == null ? "" : by)
                  .setReason(reason())
                  .setRowsPerSecond(rowsPerSecond())
                  .build());
      if (json) {
        out.println(r.getStatusJson());
      } else {
        out.printf(Locale.ROOT, "%s of %s accepted%n", action(), id);
        printStatus(out, parse(r));
      }
      return StudioMain.EXIT_OK;
    }
  }

  @Command(
      name = "cancel",
      description = {
        "Cancel a running migration: running work is cancelled, cancel.json (who, when, why) is",
        "committed on its branch, and it ends CANCELLED. Committed chunks stay in the target."
      })
  static final class Cancel extends Control {
    @Option(names = "--reason", required = true, description = "why (recorded on the branch)")
    String reason;

    @Override
    String action() {
      return "cancel";
    }

    @Override
    String reason() {
      return reason;
    }
  }

  @Command(
      name = "pause",
      description = "Hold a running copy: no new chunk starts, running chunks finish.")
  static final class Pause extends Control {
    @Option(names = "--reason", description = "why (shown in the status)")
    String reason = "";

    @Override
    String action() {
      return "pause";
    }

    @Override
    String reason() {
      return reason;
    }
  }

  @Command(name = "resume", description = "Let a paused copy go on.")
  static final class Resume extends Control {
    @Override
    String action() {
      return "resume";
    }
  }

  @Command(
      name = "throttle",
      description = {
        "Change the row rate cap of a running copy (migrate.max_rows_per_second) for the chunks",
        "started from now on, without a restart; 0 removes the cap."
      })
  static final class Throttle extends Control {
    @Option(names = "--rows-per-second", required = true, paramLabel = "N")
    long rowsPerSecond;

    @Override
    String action() {
      return "throttle";
    }

    @Override
    long rowsPerSecond() {
      return rowsPerSecond;
    }
  }

  @Command(name = "artifacts", description = "List a migration's artifacts, or print one.")
  static final class Artifacts extends Client {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1", paramLabel = "PATH", arity = "0..1")
    String path;

    @Option(names = "--commit", description = "read at this commit (default: branch head)")
    String commit = "";

    @Override
    int call(MigrationServiceGrpc.MigrationServiceBlockingStub api, PrintStream out) {
      if (path != null) {
        byte[] content =
            api.readArtifact(
                    ReadArtifactRequest.newBuilder()
                        .setMigrationId(id)
                        .setPath(path)
                        .setCommit(commit)
                        .build())
                .getContent()
                .toByteArray();
        out.print(new String(content, StandardCharsets.UTF_8));
        return StudioMain.EXIT_OK;
      }
      ListArtifactsResponse r =
          api.listArtifacts(ListArtifactsRequest.newBuilder().setMigrationId(id).build());
      if (json) {
        out.println(
            Json.writeCompact(
                java.util.Map.of(
                    "branch", r.getBranch(),
                    "head", r.getHead(),
                    "artifacts",
                        r.getArtifactsList().stream().map(ArtifactEntry::getPath).toList())));
      } else {
        out.printf(Locale.ROOT, "branch %s at %s%n", r.getBranch(), r.getHead());
        r.getArtifactsList().forEach(a -> out.println("  " + a.getPath()));
      }
      return StudioMain.EXIT_OK;
    }
  }
}
