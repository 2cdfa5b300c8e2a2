package io.migrationstudio.core.mapping;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.migrationstudio.core.canonical.ComparisonRule;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.KeyConstraint;
import java.util.List;

/**
 * {@code mapping.yaml} read leniently: the same keys as {@link MappingDocument}, every field
 * optional and dispositions as plain text. Used for override files (which name only what they
 * change) and by {@link MappingLoader}, which turns a draft into a document after listing every
 * problem at once instead of stopping at the first invariant a strict record would throw on.
 */
public final class MappingDraft {
  private MappingDraft() {}

  /** The whole file. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Document(
      Integer version,
      String naming,
      @JsonProperty("source_engine") String sourceEngine,
      @JsonProperty("source_schema") String sourceSchema,
      @JsonProperty("target_schema") String targetSchema,
      List<Table> tables,
      List<SequenceMapping> sequences,
      @JsonProperty("carry_privileges") Boolean carryPrivileges) {
    public Document {
      tables = tables == null ? List.of() : List.copyOf(tables);
      sequences = sequences == null ? List.of() : List.copyOf(sequences);
    }
  }

  /** One table; null lists mean "not stated". */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Table(
      String source,
      String target,
      String filter,
      @JsonProperty("primary_key") List<String> primaryKey,
      List<Column> columns,
      @JsonProperty("unique_keys") List<KeyConstraint> uniqueKeys,
      @JsonProperty("foreign_keys") List<ForeignKey> foreignKeys,
      List<IndexInfo> indexes,
      @JsonProperty("inheritance_parent") Boolean inheritanceParent) {
    public Table {
      columns = columns == null ? List.of() : List.copyOf(columns);
    }
  }

  /** One column; null means "not stated". */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Column(
      String source,
      String target,
      String disposition,
      @JsonProperty("source_type") String sourceType,
      String type,
      String canonical,
      Boolean nullable,
      Boolean identity,
      @JsonProperty("default") String defaultValue,
      String expression,
      String reason,
      String rule,
      @JsonProperty("source_time_zone") String sourceTimeZone,
      java.util.Map<String, Object> values,
      // YAML reads `unmapped: null` as null: an explicit null is the null policy, absent is absent
      @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = NullIsText.class)
          String unmapped,
      ComparisonRule compare,
      String generated,
      String collation,
      @JsonProperty("on_update") String onUpdate) {}

  /** Text, with an explicit YAML/JSON null read as "null" and an absent value left null. */
  static final class NullIsText
      extends com.fasterxml.jackson.databind.deser.std.StdDeserializer<String> {
    private static final long serialVersionUID = 1L;

    NullIsText() {
      super(String.class);
    }

    @Override
    public String deserialize(
        com.fasterxml.jackson.core.JsonParser p,
        com.fasterxml.jackson.databind.DeserializationContext ctxt)
        throws java.io.IOException {
      return p.getValueAsString();
    }

    @Override
    public String getNullValue(com.fasterxml.jackson.databind.DeserializationContext ctxt) {
      return "null";
    }

    @Override
    public Object getAbsentValue(com.fasterxml.jackson.databind.DeserializationContext ctxt) {
      return null;
    }
  }
}
