package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A control the workflow accepted: the request, workflow time when it took it, and what it does
 * ({@code note}, e.g. "the copy holds after the running chunks").
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ControlRecord(
    ControlAction action,
    String by,
    String reason,
    Long rowsPerSecond,
    long atMillis,
    String note) {}
