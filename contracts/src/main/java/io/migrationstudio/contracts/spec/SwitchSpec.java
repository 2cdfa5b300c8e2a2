package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How traffic is switched at cutover: {@code none} (the operator does it), or {@code config-file}
 * (the target's connection settings are written to {@code path}, the previous content kept for
 * rollback).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SwitchSpec(String type, String path) {
  public SwitchSpec {
    type = type == null ? "none" : type;
  }

  public static SwitchSpec none() {
    return new SwitchSpec(null, null);
  }
}
