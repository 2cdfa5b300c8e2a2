package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import io.migrationstudio.contracts.Stage;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Who may review: {@code default} applies to every ask gate, {@code <stage>} lists add reviewers
 * for one stage. External gates accept only the stage's own list.
 */
public final class Approvers {
  // ignored as a property: the any-getter/any-setter carry its entries (mappers that see fields,
  // like Temporal's, would otherwise write it as an approver list named "byKey")
  @JsonIgnore private final Map<String, List<String>> byKey = new TreeMap<>();

  public Approvers() {}

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public Approvers(Map<String, List<String>> byKey) {
    if (byKey != null) {
      byKey.forEach(this::put);
    }
  }

  @JsonAnySetter
  public void put(String key, List<String> reviewers) {
    byKey.put(key, reviewers == null ? List.of() : List.copyOf(reviewers));
  }

  @JsonAnyGetter
  public Map<String, List<String>> asMap() {
    return java.util.Collections.unmodifiableMap(byKey);
  }

  /** The reviewers listed for this very stage. */
  public List<String> forStage(Stage stage) {
    return byKey.getOrDefault(stage.key(), List.of());
  }

  public List<String> defaults() {
    return byKey.getOrDefault("default", List.of());
  }

  /** Whether {@code reviewer} may decide {@code stage} under {@code mode}. */
  public boolean mayReview(Stage stage, GateMode mode, String reviewer) {
    if (reviewer == null || reviewer.isBlank()) {
      return false;
    }
    if (forStage(stage).contains(reviewer)) {
      return true;
    }
    return mode != GateMode.EXTERNAL && defaults().contains(reviewer);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Approvers a && a.byKey.equals(byKey);
  }

  @Override
  public int hashCode() {
    return byKey.hashCode();
  }

  @Override
  public String toString() {
    return "Approvers" + byKey;
  }
}
