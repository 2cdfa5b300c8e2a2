package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A database to connect to. {@code password} is a reference ({@code ${env:NAME}} or {@code
 * ${file:/path}}), resolved by the workers, never a literal: the spec is committed to git and
 * travels through Temporal history. {@code schema} defaults to the dialect's default schema.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConnectionSpec(String url, String user, String password, String schema) {}
