package io.migrationstudio.core.validate;

import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.cdc.apply.CascadeOrphans;
import io.migrationstudio.core.cdc.apply.ForeignKeyValidation;
import io.migrationstudio.core.cdc.apply.StreamPositions;
import io.migrationstudio.core.cdc.apply.StreamService;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.dialect.Connections;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.dialect.Secrets;
import io.migrationstudio.core.mapping.MappingDocument;
import java.util.List;
import java.util.Objects;

/**
 * Before an online migration's foreign keys are validated: the target's child rows that a
 * MariaDB/MySQL source's foreign-key action removed without a trace in the binlog are removed
 * ({@link CascadeOrphans}), with the stream held at one source position ({@link
 * PositionedValidation#runHeld}) so the source is asked at exactly the state the target holds.
 * Nothing happens for a source whose log carries its cascades (PostgreSQL), when no acting foreign
 * key has an orphan on the target, or while the stream has not passed the copy (then {@link
 * ForeignKeyValidation} says so).
 */
public final class OrphanSweep {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OrphanSweep.class);

  private final Secrets secrets;

  public OrphanSweep(Secrets secrets) {
    this.secrets = Objects.requireNonNull(secrets);
  }

  /** What the sweep removed or nulled, per foreign key (empty: nothing to do). */
  public List<CascadeOrphans.Removed> run(
      MigrationSpec spec, MappingDocument mapping, String migrationId) {
    Dialect sd = Dialects.source(spec);
    Dialect td = Dialects.target(spec);
    if (!spec.migrate().online() || !CascadeOrphans.needed(sd)) {
      return List.of();
    }
    CascadeOrphans orphans = new CascadeOrphans(sd, td);
    String capture = StreamService.captureName(migrationId);
    boolean any =
        Connections.onTarget(
            spec,
            secrets,
            "looking for the cascade orphans of migration " + migrationId,
            tgt ->
                orphans.anyOrphan(tgt, mapping)
                    && new ForeignKeyValidation(td, TargetSchema.DEFAULT_STUDIO_SCHEMA)
                        .notPastTheCopy(tgt, migrationId, capture)
                        .isEmpty());
    if (!any) {
      return List.of();
    }
    List<CascadeOrphans.Removed> removed =
        Connections.onBoth(
            spec,
            secrets,
            "removing the cascade orphans of migration " + migrationId,
            (src, tgt) ->
                new PositionedValidation(secrets)
                    .runHeld(
                        spec,
                        migrationId,
                        src,
                        tgt,
                        (s, t) ->
                            orphans.sweep(
                                s,
                                t,
                                mapping,
                                TargetSchema.DEFAULT_STUDIO_SCHEMA,
                                migrationId,
                                new StreamPositions(td, TargetSchema.DEFAULT_STUDIO_SCHEMA)
                                    .read(t, capture)
                                    .map(StreamPositions.Stored::position)
                                    .orElse(null)))
                    .value());
    for (CascadeOrphans.Removed r : removed) {
      log.info("migration {}: cascade orphans of {}", migrationId, r.line());
    }
    return removed;
  }
}
