package io.migrationstudio.studio;

import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code studio}: one launcher for everything (DESIGN §5). All-in-one commands ({@code demo},
 * {@code run}, {@code server}, {@code worker}) and client commands against a running server.
 */
@Command(
    name = "studio",
    mixinStandardHelpOptions = true,
    versionProvider = StudioMain.Version.class,
    description = "Migration Studio: durable, reviewable database migrations with evidence in git.",
    subcommands = {
      DemoCommand.class,
      RunCommand.class,
      ValidateCommand.class,
      ReleaseCommand.class,
      DiffCommand.class,
      PlanCommand.class,
      ServerCommand.class,
      WorkerCommand.class,
      ClientCommands.Start.class,
      ClientCommands.Status.class,
      ClientCommands.Watch.class,
      ClientCommands.ListMigrations.class,
      ClientCommands.ReviewStage.class,
      ClientCommands.Cancel.class,
      ClientCommands.Pause.class,
      ClientCommands.Resume.class,
      ClientCommands.Throttle.class,
      ClientCommands.Artifacts.class,
      UnlockCommand.class,
      RollbackCommand.class,
      CommandLine.HelpCommand.class
    })
public final class StudioMain implements Runnable {
  /** Exit codes of {@code run}: 0 completed, 1 failed or rejected, 2 invalid input. */
  public static final int EXIT_OK = 0;

  public static final int EXIT_FAILED = 1;
  public static final int EXIT_INVALID = 2;

  public static void main(String[] args) {
    int code = execute(args);
    Timings.mark("command ended");
    System.exit(code);
  }

  /**
   * The client commands, each built on its own when it is the one asked for: a client command
   * answers within half a second (issue 17), and building the whole tree loads the classes of every
   * command (Temporal, JGit, the workers) first.
   */
  private static final Map<String, Supplier<Object>> CLIENT_COMMANDS =
      Map.of(
          "start", ClientCommands.Start::new,
          "status", ClientCommands.Status::new,
          "watch", ClientCommands.Watch::new,
          "list", ClientCommands.ListMigrations::new,
          "review", ClientCommands.ReviewStage::new,
          "cancel", ClientCommands.Cancel::new,
          "pause", ClientCommands.Pause::new,
          "resume", ClientCommands.Resume::new,
          "throttle", ClientCommands.Throttle::new,
          "artifacts", ClientCommands.Artifacts::new);

  /** Runs the command line and returns its exit code (tests call this). */
  public static int execute(String... args) {
    return commandLine(args)
        .setExecutionExceptionHandler(new Errors())
        .setParameterExceptionHandler(
            (ex, a) -> {
              ex.getCommandLine().getErr().println(ex.getMessage());
              ex.getCommandLine().usage(ex.getCommandLine().getErr());
              return EXIT_INVALID;
            })
        .execute(args);
  }

  /**
   * The command line for {@code args}: a client command alone under the root (see {@link
   * #CLIENT_COMMANDS}), whose Netty logs go to java.util.logging instead of starting Logback (a
   * client logs nothing of its own); else {@link #commandLine()}.
   */
  static CommandLine commandLine(String... args) {
    Supplier<Object> client = args.length == 0 ? null : CLIENT_COMMANDS.get(args[0]);
    if (client == null) {
      return commandLine();
    }
    io.grpc.netty.shaded.io.netty.util.internal.logging.InternalLoggerFactory.setDefaultFactory(
        io.grpc.netty.shaded.io.netty.util.internal.logging.JdkLoggerFactory.INSTANCE);
    CommandLine root = new CommandLine(new ClientRoot());
    root.addSubcommand(args[0], client.get());
    withHelp(root);
    return root;
  }

  /** The names of the client commands (tests). */
  static java.util.Set<String> clientCommands() {
    return CLIENT_COMMANDS.keySet();
  }

  /** The root of a client command line: {@code studio} with only that command under it. */
  @Command(name = "studio", mixinStandardHelpOptions = true, versionProvider = Version.class)
  static final class ClientRoot implements Runnable {
    @Override
    public void run() {
      commandLine().usage(System.out);
    }
  }

  /**
   * The command line with {@code -h/--help} and {@code -V/--version} on every subcommand (picocli
   * adds them only where a command asks; {@code studio run --help} used to exit 2).
   */
  static CommandLine commandLine() {
    CommandLine root = new CommandLine(new StudioMain());
    withHelp(root);
    return root;
  }

  private static void withHelp(CommandLine cmd) {
    for (CommandLine sub : cmd.getSubcommands().values()) {
      if (!sub.getCommandSpec().mixinStandardHelpOptions()
          && !(sub.getCommand() instanceof CommandLine.HelpCommand)) {
        sub.getCommandSpec().mixinStandardHelpOptions(true);
      }
      withHelp(sub);
    }
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = StudioMain.class.getPackage().getImplementationVersion();
      return new String[] {"studio " + (v == null ? "development" : v)};
    }
  }
}
