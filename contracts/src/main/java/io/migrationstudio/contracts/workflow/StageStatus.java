package io.migrationstudio.contracts.workflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.spec.GateMode;

/**
 * One stage in the status: {@code state} is pending, running, checking, awaiting-review,
 * changes-requested, approved, skipped (approved in an earlier run), failed or rejected.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StageStatus(
    Stage stage, String state, GateMode gate, Verdict verdict, String commit, String summary) {}
