package io.migrationstudio.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code studio <command> --help} (and {@code -h}) prints the usage and exits 0 everywhere. */
class HelpTest {

  @Test
  void everySubcommandAnswersHelpWithExitZero() {
    List<List<String>> paths = new ArrayList<>();
    collect(StudioMain.commandLine(), new ArrayList<>(), paths);
    assertTrue(paths.size() >= 10, "subcommands found: " + paths);
    for (List<String> path : paths) {
      for (String flag : List.of("--help", "-h")) {
        List<String> args = new ArrayList<>(path);
        args.add(flag);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        try {
          System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
          code = StudioMain.execute(args.toArray(String[]::new));
        } finally {
          System.setOut(old);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, "studio " + String.join(" ", args) + " exit code\n" + printed);
        assertTrue(
            printed.contains("Usage: studio " + String.join(" ", path)),
            "studio " + String.join(" ", args) + " prints its usage:\n" + printed);
      }
    }
  }

  /**
   * A client command built on its own (the fast start-up path) is the same command as in the whole
   * tree: same class, same usage (options, parameters, descriptions).
   */
  @Test
  void clientCommandsAloneAreTheCommandsOfTheWholeTree() {
    CommandLine whole = StudioMain.commandLine();
    assertEquals(10, StudioMain.clientCommands().size());
    for (String name : StudioMain.clientCommands()) {
      CommandLine full = whole.getSubcommands().get(name);
      CommandLine alone = StudioMain.commandLine(name, "--help").getSubcommands().get(name);
      assertTrue(full != null, name + " is a command of the whole tree");
      assertEquals(1, StudioMain.commandLine(name).getSubcommands().size(), name);
      assertEquals(full.getCommand().getClass(), alone.getCommand().getClass(), name);
      assertEquals(full.getUsageMessage(), alone.getUsageMessage(), name);
    }
    // anything else still gets the whole tree
    assertEquals(
        whole.getSubcommands().keySet(), StudioMain.commandLine("run").getSubcommands().keySet());
  }

  private static void collect(CommandLine cmd, List<String> prefix, List<List<String>> out) {
    for (var e : cmd.getSubcommands().entrySet()) {
      if (e.getValue().getCommand() instanceof CommandLine.HelpCommand) {
        continue;
      }
      List<String> path = new ArrayList<>(prefix);
      path.add(e.getKey());
      out.add(path);
      collect(e.getValue(), path, out);
    }
  }
}
