package io.migrationstudio.core.identity;

import io.migrationstudio.contracts.spec.ReviewPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The approvers' keys of a spec: the lines of {@code reviews.signers} and of the file {@code
 * reviews.allowed_signers}, parsed into one {@link AllowedSigners.Parsed} with every problem
 * (unparsable lines, a file that cannot be read, a relative path nobody resolved).
 */
public final class ApproverKeys {
  private ApproverKeys() {}

  /** Reads and parses the keys of {@code reviews}. */
  public static AllowedSigners.Parsed of(ReviewPolicy reviews) {
    List<AllowedSigners.Entry> entries = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < reviews.signers().size(); i++) {
      String where = "reviews.signers[" + i + "]";
      try {
        entries.add(AllowedSigners.parseLine(reviews.signers().get(i), where));
      } catch (SignatureFormatException e) {
        problems.add(where + ": " + e.getMessage());
      }
    }
    String file = reviews.allowedSigners();
    if (file != null && !file.isBlank()) {
      try {
        AllowedSigners.Parsed fromFile = AllowedSigners.parse(read(file), file);
        entries.addAll(fromFile.entries());
        problems.addAll(fromFile.problems());
      } catch (IOException | InvalidPathException e) {
        problems.add("reviews.allowed_signers: " + e.getMessage());
      }
    }
    return new AllowedSigners.Parsed(entries, problems);
  }

  private static String read(String file) throws IOException {
    Path path = Path.of(file);
    if (!path.isAbsolute()) {
      throw new IOException(
          "'"
              + file
              + "' is a relative path that was not resolved; give a path relative to the spec"
              + " file (resolved when the studio reads the spec) or an absolute one");
    }
    if (!Files.isRegularFile(path)) {
      throw new IOException(
          "'"
              + file
              + "' is not a readable file; check the path (one key a line, as git's"
              + " gpg.ssh.allowedSignersFile)");
    }
    return Files.readString(path, StandardCharsets.UTF_8);
  }
}
