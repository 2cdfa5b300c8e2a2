package io.migrationstudio.core.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The one place JSON and YAML are written and read. Output is byte-stable: map keys sorted, record
 * properties in declaration order, two-space indent, LF line ends, a final newline. That is what
 * lets a re-run activity produce an identical file and therefore no new commit.
 */
public final class Json {
  private static final ObjectMapper JSON = configure(new ObjectMapper());
  private static final ObjectMapper YAML =
      configure(
          new ObjectMapper(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                  .build()));

  private Json() {}

  private static ObjectMapper configure(ObjectMapper m) {
    m.findAndRegisterModules();
    m.configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    m.configure(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS, false);
    m.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    m.setSerializationInclusion(JsonInclude.Include.NON_NULL);
    return m;
  }

  public static ObjectMapper mapper() {
    return JSON;
  }

  public static ObjectMapper yamlMapper() {
    return YAML;
  }

  /** Pretty JSON with LF line ends and a trailing newline. */
  public static String write(Object value) {
    try {
      DefaultPrettyPrinter printer =
          new DefaultPrettyPrinter()
              .withObjectIndenter(new DefaultIndenter("  ", "\n"))
              .withArrayIndenter(new DefaultIndenter("  ", "\n"));
      return JSON.writer(printer).writeValueAsString(value) + "\n";
    } catch (JsonProcessingException e) {
      throw new MigrationException(ErrorCode.INTERNAL, "cannot render JSON: " + e.getMessage(), e);
    }
  }

  /** Compact single-line JSON (for CLI and API payloads). */
  public static String writeCompact(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new MigrationException(ErrorCode.INTERNAL, "cannot render JSON: " + e.getMessage(), e);
    }
  }

  public static String writeYaml(Object value) {
    try {
      String s = YAML.writeValueAsString(value);
      return s.endsWith("\n") ? s : s + "\n";
    } catch (JsonProcessingException e) {
      throw new MigrationException(ErrorCode.INTERNAL, "cannot render YAML: " + e.getMessage(), e);
    }
  }

  public static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Reads a JSON artifact; a malformed one is an INVALID_ARTIFACT naming the file. */
  public static <T> T read(byte[] content, Class<T> type, String what) {
    try {
      return JSON.readValue(content, type);
    } catch (IOException | RuntimeException e) {
      throw new MigrationException(
          ErrorCode.INVALID_ARTIFACT,
          what
              + " is not valid "
              + type.getSimpleName()
              + " JSON: "
              + e.getMessage()
              + ". Fix or restore the file on the branch.",
          e);
    }
  }

  /** Reads a YAML artifact; a malformed one is an INVALID_ARTIFACT naming the file. */
  public static <T> T readYaml(byte[] content, Class<T> type, String what) {
    try {
      return YAML.readValue(content, type);
    } catch (IOException | RuntimeException e) {
      throw new MigrationException(
          ErrorCode.INVALID_ARTIFACT,
          what
              + " is not a valid "
              + type.getSimpleName()
              + " document: "
              + e.getMessage()
              + ". Fix the file on the branch and request a re-check.",
          e);
    }
  }
}
