package io.migrationstudio.core.cutover;

import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.cutover.StepRecorder.CheckFailed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The {@code config-file} switch: {@link ConnectionSwitch} writes the target's settings to {@code
 * cutover.switch.path}; the previous content is kept in memory for {@link #revert} and, at a real
 * cutover, also next to the file ({@value CutoverService#PRE_CUTOVER_SUFFIX}) for operators.
 */
final class ConfigFileSwitch implements TrafficSwitch {
  private final MigrationSpec spec;
  private final Path path;
  private final boolean keepBackup;
  private Optional<byte[]> previous = Optional.empty();
  private boolean backupWritten;

  ConfigFileSwitch(MigrationSpec spec, boolean keepBackup) {
    this.spec = spec;
    this.path = Path.of(spec.cutover().switchTo().path());
    this.keepBackup = keepBackup;
  }

  @Override
  public String apply() throws IOException {
    previous = ConnectionSwitch.apply(spec);
    Path backup = Path.of(path + CutoverService.PRE_CUTOVER_SUFFIX);
    if (keepBackup
        && previous.isPresent()
        && !Arrays.equals(previous.get(), ConnectionSwitch.render(spec, path))
        && !Files.exists(backup)) {
      Files.write(backup, previous.get());
      backupWritten = true;
    }
    if (!ConnectionSwitch.pointsAtTarget(spec)) {
      throw new CheckFailed(path + " does not hold the target's settings after writing");
    }
    return path
        + " now names the target"
        + (previous.isPresent() ? "; previous content kept" : " (new file)");
  }

  @Override
  public String revert() throws IOException {
    ConnectionSwitch.revert(spec, previous);
    if (backupWritten) {
      Files.deleteIfExists(Path.of(path + CutoverService.PRE_CUTOVER_SUFFIX));
      backupWritten = false;
    }
    return path
        + (previous.isPresent() ? " holds its previous content" : " removed (it did not exist)");
  }

  /** The {@code .pre-cutover} copy when the cutover kept one, else the source's settings. */
  @Override
  public String revertAfterSwitch() throws IOException {
    return ConnectionSwitch.back(spec);
  }

  @Override
  public String describe() {
    return path.toString();
  }
}
