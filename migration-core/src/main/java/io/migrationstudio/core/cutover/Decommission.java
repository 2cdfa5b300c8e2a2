package io.migrationstudio.core.cutover;

import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.SwitchSpec;
import io.migrationstudio.contracts.workflow.Verdict;
import io.migrationstudio.core.cdc.ChangeCapture;
import io.migrationstudio.core.cdc.apply.StreamService;
import io.migrationstudio.core.cutover.reverse.ReverseStream;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.git.ArtifactStore;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.report.StageOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The decommission after the hypercare: removes what the migration left on both databases and
 * writes the final report.
 *
 * <ol>
 *   <li>the forward change capture on the source (slot and publication on PostgreSQL), when it is
 *       still there;
 *   <li>the reverse capture on the target (slot and publication {@code <capture>_rev}) and its
 *       replication origin on the source ({@link ReverseStream#drop}), when it is still there;
 *   <li>the source's write guards: lifted with {@code cutover.after_decommission: release}, kept
 *       with {@code keep_frozen} (the default; {@code studio release} lifts them later);
 *   <li>the studio schema on the target (chunk ledger, table plan, rejects, lock, stream position)
 *       and the studio's bookkeeping on the source (the reverse stream's schema on PostgreSQL; the
 *       {@code studio} database on MariaDB/MySQL, with the write guards' state too): dropped when
 *       no other migration has rows there, else only this migration's rows are deleted ({@link
 *       StudioBookkeeping}). On a MariaDB source left frozen, {@code studio.guard_state} keeps the
 *       armed rows its guards read ({@link MariaDbStudioDatabase});
 *   <li>the switch's {@value CutoverService#PRE_CUTOVER_SUFFIX} copy of what it replaced, next to
 *       {@code cutover.switch.ini} ({@code pgbouncer}) or {@code cutover.switch.path} ({@code
 *       config-file}): it exists for the rollback, and after the decommission there is none (a
 *       stale copy would be put back by a later switch back, or mislead an operator).
 * </ol>
 *
 * {@link #plan} lists the same items as they stand, without changing anything (the gate reviews
 * it); {@link #execute} acts and checks each item gone. Idempotent: an item already gone is
 * reported {@code absent}. A failure of one item is recorded and the others go on; the verdict is
 * then FAIL.
 */
public final class Decommission {
  /** The states of an item: before ({@code present}, {@code absent}) and after the decommission. */
  public static final String PRESENT = "present";

  public static final String ABSENT = "absent";
  public static final String DROPPED = "dropped";
  public static final String RELEASED = "released";
  public static final String KEPT = "kept";
  public static final String FAILED = "failed";

  /** One thing the migration left: what, on which database, and its state and detail. */
  public record Item(String what, String where, String state, String detail) {}

  private final ArtifactStore store;
  private final Secrets secrets;

  public Decommission(ArtifactStore store, Secrets secrets) {
    this.store = store;
    this.secrets = secrets;
  }

  /** What the decommission would remove or keep, as it stands. */
  public List<Item> plan(MigrationSpec spec, String migrationId) {
    return walk(spec, migrationId, false);
  }

  /** Removes what the migration left (see the class comment); each item with its outcome. */
  public List<Item> execute(MigrationSpec spec, String migrationId) {
    return walk(spec, migrationId, true);
  }

  private List<Item> walk(MigrationSpec spec, String id, boolean act) {
    List<Item> items = new ArrayList<>();
    items.add(forwardCapture(spec, id, act));
    items.add(reverseCapture(spec, id, act));
    items.add(guards(spec, act));
    items.add(studioSchema(spec, id, act, false));
    if (StudioBookkeeping.on(Dialects.source(spec)).isPresent()) {
      items.add(studioSchema(spec, id, act, true));
    }
    switchCopy(spec, act).ifPresent(items::add);
    return items;
  }

  private Item forwardCapture(MigrationSpec spec, String id, boolean act) {
    String name = StreamService.captureName(id);
    Dialect sd = Dialects.source(spec);
    String what = "change capture " + name;
    Optional<ChangeCapture> capture = sd.changeCapture();
    if (capture.isEmpty()) {
      return new Item(what, "source", ABSENT, "the source has no change capture");
    }
    return guarded(
        what,
        "source",
        () -> {
          try (Connection src = Dialects.open(spec.source(), secrets, "source")) {
            List<String> left = capture.get().leftovers(src, name);
            if (left.isEmpty()) {
              return new Item(what, "source", ABSENT, "nothing left on the source");
            }
            if (!act) {
              return new Item(what, "source", PRESENT, String.join(", ", left) + ": to drop");
            }
            capture.get().drop(src, name);
            List<String> still = capture.get().leftovers(src, name);
            return still.isEmpty()
                ? new Item(what, "source", DROPPED, String.join(", ", left))
                : new Item(what, "source", FAILED, String.join(", ", still) + " still there");
          } catch (SQLException e) {
            throw sd.classify(e, "dropping the change capture " + name);
          }
        });
  }

  private Item reverseCapture(MigrationSpec spec, String id, boolean act) {
    String name = ReverseStream.captureName(id);
    Dialect td = Dialects.target(spec);
    String what = "reverse capture " + name;
    Optional<ChangeCapture> capture = td.changeCapture();
    if (capture.isEmpty()) {
      return new Item(what, "target", ABSENT, "the target has no change capture");
    }
    return guarded(
        what,
        "target",
        () -> {
          List<String> left;
          try (Connection tgt = Dialects.open(spec.target(), secrets, "target")) {
            left = capture.get().leftovers(tgt, name);
          } catch (SQLException e) {
            throw td.classify(e, "reading the reverse capture " + name);
          }
          ReverseStream reverse = new ReverseStream(secrets);
          // the source's tags too: a drop that failed after the capture went leaves the origin
          List<String> all = new ArrayList<>(left);
          all.addAll(reverse.tagsLeft(spec, id));
          if (all.isEmpty()) {
            return new Item(what, "target", ABSENT, "no reverse stream was left on the target");
          }
          if (!act) {
            return new Item(what, "target", PRESENT, String.join(", ", all) + ": to drop");
          }
          reverse.drop(spec, id);
          List<String> still = new ArrayList<>(reverse.tagsLeft(spec, id));
          return still.isEmpty()
              ? new Item(what, "target", DROPPED, String.join(", ", all))
              : new Item(what, "target", FAILED, String.join(", ", still) + " still there");
        });
  }

  private Item guards(MigrationSpec spec, boolean act) {
    boolean release = spec.cutover().releaseAfterDecommission();
    String what =
        "write guards (cutover.after_decommission: " + spec.cutover().afterDecommission() + ")";
    Dialect sd = Dialects.source(spec);
    if (sd.writeFreeze().isEmpty()) {
      return new Item(what, "source", ABSENT, "the source has no write guards");
    }
    return guarded(
        what,
        "source",
        () -> {
          List<String> guarded;
          try (Connection src = Dialects.open(spec.source(), secrets, "source")) {
            guarded = sd.writeFreeze().get().guardedTables(src);
          } catch (SQLException e) {
            throw sd.classify(e, "reading the write guards");
          }
          if (guarded.isEmpty()) {
            return new Item(what, "source", ABSENT, "no table carries the studio's write guard");
          }
          String tables = guarded.size() + " tables: " + String.join(", ", guarded);
          if (!release) {
            return new Item(
                what, "source", KEPT, tables + "; the source stays read-only (studio release ID)");
          }
          if (!act) {
            return new Item(what, "source", PRESENT, tables + ": to release");
          }
          return new Item(
              what, "source", RELEASED, new FreezeRelease(secrets).release(spec).describe());
        });
  }

  private Item studioSchema(MigrationSpec spec, String id, boolean act, boolean onSource) {
    String side = onSource ? "source" : "target";
    Dialect d = onSource ? Dialects.source(spec) : Dialects.target(spec);
    StudioBookkeeping schema = StudioBookkeeping.on(d).orElseThrow();
    String what = schema.describe();
    return guarded(
        what,
        side,
        () -> {
          try (Connection c =
              Dialects.open(onSource ? spec.source() : spec.target(), secrets, side)) {
            StudioBookkeeping.Contents now = schema.inspect(c, id);
            if (!now.exists()) {
              return new Item(what, side, ABSENT, "no " + what + " on the " + side);
            }
            String holds = "holds " + String.join(", ", now.tables());
            if (!act) {
              return new Item(what, side, PRESENT, holds + ": " + planned(now));
            }
            String done = schema.remove(c, id);
            return new Item(
                what, side, done.equals("dropped") ? DROPPED : KEPT, done + " (" + holds + ")");
          } catch (SQLException e) {
            throw d.classify(e, "removing the " + what + " on the " + side);
          }
        });
  }

  /** What {@link StudioBookkeeping#remove} will do with {@code now}. */
  private static String planned(StudioBookkeeping.Contents now) {
    if (now.drops()) {
      return "to drop";
    }
    String kept =
        now.otherMigrations().isEmpty()
            ? "kept for the write guards of the "
                + now.freeze().size()
                + " tables left frozen ("
                + String.join(", ", now.freeze())
                + ")"
            : "kept for " + now.otherMigrations();
    return kept + ", this migration's rows go";
  }

  /** The switch's copy of what it replaced; empty for a switch that keeps none. */
  private static Optional<Item> switchCopy(MigrationSpec spec, boolean act) {
    SwitchSpec sw = spec.cutover().switchTo();
    String switched =
        SwitchSpec.PGBOUNCER.equals(sw.type())
            ? sw.ini()
            : SwitchSpec.CONFIG_FILE.equals(sw.type()) ? sw.path() : null;
    if (switched == null) {
      return Optional.empty();
    }
    Path copy = Path.of(switched + CutoverService.PRE_CUTOVER_SUFFIX);
    String what = "switch copy " + copy;
    String where = "studio host";
    if (!Files.exists(copy)) {
      return Optional.of(new Item(what, where, ABSENT, "no copy next to " + switched));
    }
    if (!act) {
      return Optional.of(
          new Item(
              what, where, PRESENT, "what the cutover replaced in " + switched + ": to delete"));
    }
    try {
      Files.delete(copy);
      return Optional.of(new Item(what, where, DROPPED, switched + " itself is left as it is"));
    } catch (IOException e) {
      return Optional.of(
          new Item(
              what,
              where,
              FAILED,
              "cannot delete it: " + e + "; delete it by hand (there is no rollback any more)"));
    }
  }

  private interface Step {
    Item run();
  }

  /** Runs one item; a failure is recorded on it (redacted), the others go on. */
  private static Item guarded(String what, String where, Step step) {
    try {
      return step.run();
    } catch (MigrationException e) {
      return new Item(what, where, FAILED, MigrationException.redact(e.getMessage()));
    }
  }

  /** FAIL when an item failed. */
  public static Verdict verdict(List<Item> items) {
    return items.stream().anyMatch(i -> FAILED.equals(i.state())) ? Verdict.FAIL : Verdict.PASS;
  }

  /** {@code plan.{json,md}}: what the decommission gate reviews. */
  public static StageOutput planOutput(String migrationId, MigrationSpec spec, List<Item> items) {
    Verdict v = verdict(items);
    long present = items.stream().filter(i -> PRESENT.equals(i.state())).count();
    String summary =
        present
            + " items to remove; after the decommission the source "
            + (spec.cutover().releaseAfterDecommission() ? "takes writes again" : "stays frozen");
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("migration", migrationId);
    json.put("after_decommission", spec.cutover().afterDecommission());
    json.put("items", items);
    json.put("summary", summary);
    StringBuilder md =
        new StringBuilder("# Decommission plan: ").append(migrationId).append("\n\n");
    md.append(summary).append(".\n\n");
    table(md, items);
    md.append(
        "\nApprove the decommission gate to remove them; until then the migration stays open and"
            + " nothing is removed.\n");
    return new StageOutput(
        Map.of(
            ArtifactPaths.DECOMMISSION_PLAN_JSON, Json.bytes(Json.write(json)),
            ArtifactPaths.DECOMMISSION_PLAN_MD, Json.bytes(md.toString())),
        v,
        summary);
  }

  /**
   * {@code final-report.{json,md}}: what was removed or kept, and the hypercare as its notes on
   * {@code branch} record it.
   */
  public StageOutput finalReport(
      String migrationId, MigrationSpec spec, String branch, List<Item> items, long atMillis) {
    Verdict v = verdict(items);
    List<Map<String, Object>> notes = notes(branch);
    String summary =
        (v == Verdict.PASS ? "decommissioned" : "decommission incomplete")
            + ": "
            + items.stream()
                .filter(i -> !ABSENT.equals(i.state()))
                .map(i -> i.what() + " on the " + i.where() + " " + i.state())
                .reduce((a, b) -> a + ", " + b)
                .orElse("nothing was left")
            + "; "
            + notes.size()
            + " hypercare notes";
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("migration", migrationId);
    json.put("decommissioned_at", Instant.ofEpochMilli(atMillis).toString());
    json.put("verdict", v.name());
    json.put("after_decommission", spec.cutover().afterDecommission());
    json.put("items", items);
    json.put("hypercare_notes", notes);
    json.put("summary", summary);
    StringBuilder md = new StringBuilder("# Final report: ").append(migrationId).append("\n\n");
    md.append("- Verdict: ").append(v).append('\n');
    md.append("- Decommissioned at: ").append(Instant.ofEpochMilli(atMillis)).append('\n');
    md.append("- Source after the decommission: ")
        .append(
            spec.cutover().releaseAfterDecommission()
                ? "released (takes writes)"
                : "kept frozen (`studio release " + migrationId + "` lifts the guards)")
        .append("\n\n## What the migration left\n\n");
    table(md, items);
    md.append("\n## Hypercare\n\n");
    if (notes.isEmpty()) {
      md.append("No hypercare note was committed.\n");
    }
    for (Map<String, Object> n : notes) {
      md.append("- ").append(n.get("day")).append(": ").append(n.get("summary")).append('\n');
    }
    return new StageOutput(
        Map.of(
            ArtifactPaths.FINAL_REPORT_JSON, Json.bytes(Json.write(json)),
            ArtifactPaths.FINAL_REPORT_MD, Json.bytes(md.toString())),
        v,
        summary);
  }

  /** The day and summary of every hypercare note on the branch, oldest first. */
  private List<Map<String, Object>> notes(String branch) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String path : store.list(branch, ArtifactPaths.HYPERCARE_DIR)) {
      String name = path.substring(path.lastIndexOf('/') + 1);
      if (!name.startsWith("hypercare-") || !name.endsWith(".json")) {
        continue;
      }
      store
          .read(branch, path)
          .ifPresent(
              bytes -> {
                try {
                  var n = Json.mapper().readTree(bytes);
                  Map<String, Object> note = new LinkedHashMap<>();
                  note.put("day", n.path("day").asText());
                  note.put("path", path);
                  note.put("summary", n.path("summary").asText());
                  out.add(note);
                } catch (java.io.IOException e) {
                  // a note that does not parse is listed by path only
                  out.add(Map.of("day", name, "path", path, "summary", "unreadable"));
                }
              });
    }
    out.sort(java.util.Comparator.comparing(m -> String.valueOf(m.get("day"))));
    return out;
  }

  private static void table(StringBuilder md, List<Item> items) {
    md.append("| what | where | state | detail |\n|---|---|---|---|\n");
    for (Item i : items) {
      md.append("| ")
          .append(i.what())
          .append(" | ")
          .append(i.where())
          .append(" | ")
          .append(i.state())
          .append(" | ")
          .append(i.detail() == null ? "" : i.detail().replace("|", "\\|").replace("\n", " "))
          .append(" |\n");
    }
  }
}
