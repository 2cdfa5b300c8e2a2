package io.migrationstudio.studio;

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
    System.exit(execute(args));
  }

  /** Runs the command line and returns its exit code (tests call this). */
  public static int execute(String... args) {
    return commandLine()
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
