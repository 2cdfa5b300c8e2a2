package io.migrationstudio.core.review;

import io.migrationstudio.core.cutover.reverse.MappingInversion;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.review.Finding.Level;
import java.util.List;

/**
 * With {@code cutover.rollback: reverse}, the way back of the mapping ({@link
 * MappingInversion#findings}) as review findings: what the reverse stream would refuse fails the
 * review (so an auto gate escalates to a person before Migrate), what it would lose is a warning.
 * Each is a {@link CompatibilityCheck#NOT_INVERTIBLE} finding on the table and column it names.
 */
final class RollbackChecks extends ReviewPart {
  RollbackChecks(List<Finding> findings) {
    super(findings);
  }

  void check(MappingDocument mapping) {
    for (MappingInversion.Finding f : MappingInversion.findings(mapping)) {
      add(
          f.blocking() ? Level.FAIL : Level.WARNING,
          f.table(),
          f.column(),
          CompatibilityCheck.NOT_INVERTIBLE,
          null,
          null,
          List.of(),
          "cutover.rollback is reverse: "
              + f.message()
              + (f.blocking() ? "; change the mapping or set cutover.rollback: none" : ""));
    }
  }
}
