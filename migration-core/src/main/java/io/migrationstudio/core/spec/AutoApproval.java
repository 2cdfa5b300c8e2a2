package io.migrationstudio.core.spec;

import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.ReviewPolicy;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an operator's {@code --auto-approve} asks for: {@code all}, and/or stages named one by one.
 * An {@code external} gate whose stage lists approvers ({@code approvers.cutover: [carol]}) is
 * decided by those approvers and nobody else (DESIGN §2, "no local bypass"): naming such a stage is
 * refused ({@link #problems}), and {@code all} leaves it external ({@link #keptExternal}). An
 * external gate that lists nobody (the default cutover gate) may still be auto-approved: there is
 * no one to bypass, and without it the gate could never open.
 *
 * @param all whether {@code all} was given
 * @param named the stages named one by one (with or without {@code all})
 */
public record AutoApproval(boolean all, Set<Stage> named) {
  /** No stage auto-approved. */
  public static final AutoApproval NONE = new AutoApproval(false, Set.of());

  /** {@code --auto-approve all}. */
  public static final AutoApproval ALL = new AutoApproval(true, Set.of());

  public AutoApproval {
    named = named == null || named.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(named));
  }

  /** These stages, named one by one. */
  public static AutoApproval of(Set<Stage> named) {
    return new AutoApproval(false, named);
  }

  /**
   * The {@code --auto-approve} values as given (repeated options, comma lists, {@code all}); an
   * unknown stage is refused naming the option.
   */
  public static AutoApproval parse(List<String> values) {
    boolean all = false;
    Set<Stage> named = EnumSet.noneOf(Stage.class);
    for (String v : values) {
      for (String part : v.split(",")) {
        String p = part.trim();
        if (p.equalsIgnoreCase("all")) {
          all = true;
        } else if (!p.isEmpty()) {
          try {
            named.add(Stage.fromKey(p));
          } catch (IllegalArgumentException e) {
            throw new SpecException(List.of(new SpecProblem("--auto-approve", p, e.getMessage())));
          }
        }
      }
    }
    return new AutoApproval(all, named);
  }

  /** Whether {@code stage}'s gate is external and names approvers: only they may open it. */
  public static boolean guarded(MigrationSpec spec, Stage stage) {
    return spec.reviews().gate(stage) == GateMode.EXTERNAL
        && !spec.approvers().forStage(stage).isEmpty();
  }

  /** The stages whose gate this turns to {@code auto} in {@code spec}: never a guarded one. */
  public Set<Stage> stages(MigrationSpec spec) {
    Set<Stage> out = EnumSet.noneOf(Stage.class);
    for (Stage s : Stage.values()) {
      if ((all || named.contains(s)) && !guarded(spec, s)) {
        out.add(s);
      }
    }
    return out;
  }

  /**
   * A stage named one by one whose gate is guarded: a local bypass of its approvers, refused with
   * what to do instead.
   */
  public List<SpecProblem> problems(MigrationSpec spec) {
    List<SpecProblem> problems = new ArrayList<>();
    for (Stage s : Stage.values()) {
      if (named.contains(s) && guarded(spec, s)) {
        List<String> approvers = spec.approvers().forStage(s);
        problems.add(
            new SpecProblem(
                "--auto-approve",
                s.key(),
                "the "
                    + s.key()
                    + " gate is external and names its approvers (approvers."
                    + s.key()
                    + ": "
                    + String.join(", ", approvers)
                    + "): only they may open it, no local bypass; "
                    + String.join(" or ", approvers)
                    + " approves with a signed review (studio review), or, if auto-approval is"
                    + " really intended, change reviews."
                    + s.key()
                    + " or approvers."
                    + s.key()
                    + " in the spec"));
      }
    }
    return List.copyOf(problems);
  }

  /**
   * The gates {@code all} leaves external because they name approvers, with those approvers, in
   * stage order; empty without {@code all}.
   */
  public Map<Stage, List<String>> keptExternal(MigrationSpec spec) {
    Map<Stage, List<String>> out = new LinkedHashMap<>();
    for (Stage s : Stage.values()) {
      if (all && guarded(spec, s)) {
        out.put(s, spec.approvers().forStage(s));
      }
    }
    return out;
  }

  /** {@code spec} with the gates of {@link #stages} turned to {@code auto}. */
  public MigrationSpec applyTo(MigrationSpec spec) {
    ReviewPolicy reviews = spec.reviews();
    for (Stage s : stages(spec)) {
      reviews = reviews.with(s, GateMode.AUTO);
    }
    return spec.withReviews(reviews);
  }
}
