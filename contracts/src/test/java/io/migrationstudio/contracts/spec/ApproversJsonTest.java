package io.migrationstudio.contracts.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.temporal.api.common.v1.Payloads;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The spec travels through Temporal's Jackson converter (field visibility ANY): it must survive.
 */
class ApproversJsonTest {
  @Test
  void aSpecWithApproversRoundTripsThroughTemporalsConverter() {
    MigrationSpec spec =
        new MigrationSpec(
            "shop",
            null,
            new ConnectionSpec("jdbc:postgresql://db/a", null, null, null),
            new ConnectionSpec("jdbc:postgresql://db/b", null, null, null),
            null,
            null,
            null,
            null,
            null,
            null,
            new Approvers(Map.of("default", List.of("alice"), "cutover", List.of("board"))),
            null);
    DataConverter converter = DefaultDataConverter.newDefaultInstance();
    Optional<Payloads> payloads = converter.toPayloads(spec);
    MigrationSpec back =
        converter.fromPayloads(0, payloads, MigrationSpec.class, MigrationSpec.class);
    assertEquals(spec, back);
    assertEquals(
        List.of("board"), back.approvers().forStage(io.migrationstudio.contracts.Stage.CUTOVER));
  }
}
