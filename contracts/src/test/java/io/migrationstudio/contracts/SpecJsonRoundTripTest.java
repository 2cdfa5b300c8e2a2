package io.migrationstudio.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.contracts.spec.Approvers;
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.workflow.MigrationInput;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The workflow input travels as plain JSON, as a Temporal UI user would type it. */
class SpecJsonRoundTripTest {
  private final DataConverter converter = DefaultDataConverter.newDefaultInstance();

  @Test
  void specSurvivesTemporalsJsonConverter() {
    MigrationSpec spec =
        new MigrationSpec(
            "chinook",
            null,
            new ConnectionSpec("jdbc:postgresql://h/src", "u", "${env:PW}", null),
            new ConnectionSpec("jdbc:postgresql://h/dst", "u", null, null),
            null,
            null,
            null,
            null,
            null,
            null,
            new Approvers(Map.of("default", List.of("alice"), "cutover", List.of("carol"))),
            null);
    MigrationInput input = new MigrationInput(spec, null);
    Optional<Payload> payload = converter.toPayload(input);
    MigrationInput back =
        converter.fromPayload(payload.orElseThrow(), MigrationInput.class, MigrationInput.class);
    assertEquals(input, back);
  }

  @Test
  void specTypedAsJsonInTemporalUiIsAccepted() {
    String json =
        "{\"spec\":{\"id\":\"x\",\"source\":{\"url\":\"jdbc:postgresql://h/a\"},"
            + "\"target\":{\"url\":\"jdbc:postgresql://h/b\"},"
            + "\"migrate\":{\"chunk_rows\":10},\"reviews\":{\"mapping\":\"auto\"},"
            + "\"approvers\":{\"default\":[\"alice\"]}}}";
    Payload p =
        Payload.newBuilder()
            .putMetadata("encoding", com.google.protobuf.ByteString.copyFromUtf8("json/plain"))
            .setData(com.google.protobuf.ByteString.copyFrom(json, StandardCharsets.UTF_8))
            .build();
    MigrationInput in = converter.fromPayload(p, MigrationInput.class, MigrationInput.class);
    assertEquals(10, in.spec().migrate().chunkRows());
    assertEquals(List.of("alice"), in.spec().approvers().defaults());
    assertEquals("auto", in.spec().reviews().mapping().key());
  }
}
