package io.migrationstudio.core.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.Stage;
import io.migrationstudio.contracts.spec.GateMode;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.contracts.spec.ReviewIdentity;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SpecLoaderTest {
  /** DESIGN §5, with a PostgreSQL source (the dialect this module ships) and secret references. */
  static final String FULL =
      """
      id: chinook-to-pg                 # [a-z0-9-]+, unique
      title: Move Chinook from PostgreSQL 13 to PostgreSQL 17
      source: { url: "jdbc:postgresql://127.0.0.1:5433/Chinook", user: root, password: "${env:SRC_PW}" }
      target: { url: "jdbc:postgresql://127.0.0.1:5432/chinook", user: postgres, password: "${file:/run/secrets/dst}" }
      scope: { include: ["*"], exclude: [] }
      mapping: { naming: snake_case, overrides: null }
      migrate: { strategy: bulk, parallelism: 4, chunk_rows: 50000, reject_limit: 0, dry_run: false }
      validation: { sample_rows: 0, queries: [], latency_tolerance: 0.10 }
      cutover: { window: null, rto: PT15M, freeze: source-read-only, switch: { type: none } }
      reviews: { assessment: auto, mapping: ask, migrate: ask, validation: ask, cutover: external }
      approvers: { default: [], mapping: [], cutover: [] }
      """;

  @Test
  void assessmentChecksAreSelectedByKnownKeysOnly() {
    MigrationSpec ok =
        SpecLoader.parse(
            FULL + "assessment: { checks: [fk-cycle, large-table], skip_checks: [lob-column] }\n");
    assertEquals(java.util.List.of("fk-cycle", "large-table"), ok.assessment().checks());
    assertEquals(java.util.List.of("lob-column"), ok.assessment().skipChecks());
    SpecException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            SpecException.class,
            () -> SpecLoader.parse(FULL + "assessment: { skip_checks: [no-such-check] }\n"));
    assertEquals("assessment.skip_checks", e.problems().get(0).key());
  }

  @Test
  void consumerWindowHasDefaultsAndEveryBadValueIsAProblemWithItsKey() {
    MigrationSpec defaults = SpecLoader.parse(FULL);
    assertEquals("PT2S", defaults.assessment().consumerWindow().duration());
    assertEquals(5, defaults.assessment().consumerWindow().samples());
    MigrationSpec set =
        SpecLoader.parse(
            FULL + "assessment: { consumer_window: { duration: PT30S, samples: 7 } }\n");
    assertEquals("PT30S", set.assessment().consumerWindow().duration());
    assertEquals(7, set.assessment().consumerWindow().samples());
    MigrationSpec single =
        SpecLoader.parse(
            FULL + "assessment: { consumer_window: { duration: PT0S, samples: 1 } }\n");
    assertEquals(1, single.assessment().consumerWindow().samples());
    assertEquals(SpecLoader.parse(SpecLoader.render(set)), set, "renders and reads back");

    for (String[] bad :
        new String[][] {
          {"{ duration: 2 seconds }", "assessment.consumer_window.duration"},
          {"{ duration: PT11M }", "assessment.consumer_window.duration"},
          {"{ duration: -PT1S }", "assessment.consumer_window.duration"},
          {"{ samples: 0 }", "assessment.consumer_window.samples"},
          {"{ samples: 101 }", "assessment.consumer_window.samples"},
          {"{ samples: many }", "assessment.consumer_window.samples"},
          {"{ duration: PT0S, samples: 3 }", "assessment.consumer_window.samples"},
          {"{ window: PT2S }", "assessment.consumer_window.window"},
          {"PT2S", "assessment.consumer_window"}
        }) {
      SpecException e =
          assertThrows(
              SpecException.class,
              () -> SpecLoader.parse(FULL + "assessment: { consumer_window: " + bad[0] + " }\n"),
              bad[0]);
      assertEquals(ErrorCode.INVALID_SPEC, e.code());
      assertEquals(List.of(bad[1]), e.problems().stream().map(SpecProblem::key).toList(), bad[0]);
    }
  }

  @Test
  void typeRulesAreReadInOrderAndEveryBadEntryIsAProblemWithItsKey() {
    MigrationSpec ok =
        SpecLoader.parse(
            FULL.replace(
                "mapping: { naming: snake_case, overrides: null }",
                """
                mapping:
                  naming: snake_case
                  type_rules:
                    - match: { source_type: "tinyint(1)", table: "*", column: "is_*" }
                      target_type: smallint
                    - match: { source_type: datetime }
                      target_type: timestamptz
                      time_zone: UTC
                      reason: every writer used UTC
                """));
    assertEquals(2, ok.mapping().typeRules().size());
    assertEquals("tinyint(1)", ok.mapping().typeRules().get(0).match().sourceType());
    assertEquals("is_*", ok.mapping().typeRules().get(0).match().column());
    assertEquals("timestamptz", ok.mapping().typeRules().get(1).targetType());
    assertEquals("UTC", ok.mapping().typeRules().get(1).timeZone());
    assertEquals(ok, SpecLoader.parse(SpecLoader.render(ok)), "renders and reads back");
    assertFalse(SpecLoader.render(SpecLoader.parse(FULL)).contains("type_rules"));

    String bad =
        FULL.replace(
            "mapping: { naming: snake_case, overrides: null }",
            """
            mapping:
              type_rules:
                - match: { source_type: datetime }
                  target_type: timestamp with no zone
                - match: {}
                  target_type: text
                - target_type: text
                - match: { colour: red }
                  target_type: text
                  priority: 1
                - match: { column: "*_at" }
                - match: { source_type: datetime }
                  target_type: timestamp
                  time_zone: UTC
                - match: { source_type: datetime }
                  target_type: timestamptz
                  time_zone: Mars/Olympus
                - match: { table: "" }
                  target_type: text
                - plain text
            """);
    SpecException e = assertThrows(SpecException.class, () -> SpecLoader.parse(bad));
    assertEquals(
        List.of(
            "mapping.type_rules[0].target_type",
            "mapping.type_rules[1].match",
            "mapping.type_rules[2].match",
            "mapping.type_rules[3].priority",
            "mapping.type_rules[3].match.colour",
            "mapping.type_rules[3].match",
            "mapping.type_rules[4].target_type",
            "mapping.type_rules[5].time_zone",
            "mapping.type_rules[6].time_zone",
            "mapping.type_rules[7].match.table",
            "mapping.type_rules[8]"),
        e.problems().stream().map(SpecProblem::key).toList(),
        e.getMessage());
  }

  @Test
  void theDesignExampleIsValid() {
    MigrationSpec spec = SpecLoader.parse(FULL);
    assertEquals("chinook-to-pg", spec.id());
    assertEquals("${env:SRC_PW}", spec.source().password());
    assertEquals("snake_case", spec.mapping().naming());
    assertEquals(50_000, spec.migrate().chunkRows());
    assertEquals(0.10, spec.validation().latencyTolerance());
    assertEquals("PT15M", spec.cutover().rto());
    assertEquals("PT24H", spec.cutover().maxValidationAge(), "default max_validation_age");
    assertEquals(
        "PT2H",
        SpecLoader.parse(FULL.replace("rto: PT15M,", "rto: PT15M, max_validation_age: PT2H,"))
            .cutover()
            .maxValidationAge());
    assertEquals("PT5S", spec.cutover().maxLag(), "default cutover.max_lag");
    assertEquals(
        "PT30S",
        SpecLoader.parse(FULL.replace("rto: PT15M,", "rto: PT15M, max_lag: PT30S,"))
            .cutover()
            .maxLag());
    assertEquals("none", spec.cutover().switchTo().type());
    assertEquals("after_approval", spec.cutover().drill(), "default cutover.drill");
    assertEquals(
        "separate_gate",
        SpecLoader.parse(FULL.replace("rto: PT15M,", "rto: PT15M, drill: separate_gate,"))
            .cutover()
            .drill());
    assertFalse(spec.validation().repair(), "nothing is repaired unless asked");
    assertTrue(
        SpecLoader.parse(
                FULL.replace("latency_tolerance: 0.10", "latency_tolerance: 0.10, repair: true"))
            .validation()
            .repair());
    assertEquals(GateMode.EXTERNAL, spec.reviews().cutover());
    assertEquals(List.of(), spec.approvers().forStage(Stage.CUTOVER));
  }

  @Test
  void regressionQueriesNameComparisonRulesPerResultColumn() {
    MigrationSpec spec =
        SpecLoader.parse(
            FULL.replace(
                "queries: []",
                "queries: [ { name: q, sql: 'select 1 as amount', compare: { amount: { tolerance:"
                    + " 0.01 } } } ]"));
    assertEquals(
        java.util.Map.of("amount", java.util.Map.of("tolerance", 0.01)),
        spec.validation().queries().get(0).compare());
    SpecException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            SpecException.class,
            () ->
                SpecLoader.parse(
                    FULL.replace(
                        "queries: []",
                        "queries: [ { name: q, sql: 'select 1', compare: { amount: { tolerance: -1,"
                            + " trim: true, colour: red }, at: 5 } } ]")));
    assertEquals(
        List.of(
            "validation.queries[0].compare.amount.colour",
            "validation.queries[0].compare.amount",
            "validation.queries[0].compare.amount",
            "validation.queries[0].compare.at"),
        e.problems().stream().map(SpecProblem::key).toList());
  }

  @Test
  void jsonAndYamlGiveTheSameSpecAndRenderRoundTrips() {
    MigrationSpec yaml = SpecLoader.parse(FULL);
    String json =
        "{\n\t\"id\": \"chinook-to-pg\",\n\t\"title\": \"Move Chinook from PostgreSQL 13 to"
            + " PostgreSQL 17\",\n"
            + "\t\"source\": {\"url\": \"jdbc:postgresql://127.0.0.1:5433/Chinook\", \"user\":"
            + " \"root\", \"password\": \"${env:SRC_PW}\"},\n"
            + "\t\"target\": {\"url\": \"jdbc:postgresql://127.0.0.1:5432/chinook\", \"user\":"
            + " \"postgres\", \"password\": \"${file:/run/secrets/dst}\"},\n"
            + "\t\"mapping\": {\"naming\": \"snake_case\"},\n"
            + "\t\"migrate\": {\"chunk_rows\": 50000},\n"
            + "\t\"approvers\": {\"default\": [], \"mapping\": [], \"cutover\": []}\n}";
    assertEquals(yaml, SpecLoader.parse(json));
    String rendered = SpecLoader.render(yaml);
    assertEquals(yaml, SpecLoader.parse(rendered));
    assertEquals(rendered, SpecLoader.render(SpecLoader.parse(rendered)), "byte-stable");
    assertTrue(rendered.endsWith("\n"));
  }

  @Test
  void everyProblemIsListedWithKeyValueAndRule() {
    String text =
        """
        id: Chinook_PG
        colour: blue
        source: { url: "mysql://db/x", user: root, password: hunter2 }
        scope: { include: "*" }
        mapping: { naming: camelCase }
        migrate: { strategy: cdc, parallelism: 0, chunk_rows: 2000000000, reject_limit: -1, dry_run: maybe, chunk_size: 5, max_lag: soon }
        validation: { sample_rows: -5, latency_tolerance: -0.1, queries: [ { name: q1 } ], repair: sometimes }
        cutover: { window: tomorrow, rto: 15 minutes, freeze: partial, switch: { type: config-file }, max_validation_age: a day, max_lag: PT0S, rollback: backwards, drill: sometimes }
        reviews: { mapping: sometimes, deploy: ask }
        approvers: { default: [alice], cutover: bob, ops: [carol] }
        """;
    SpecException e = assertThrows(SpecException.class, () -> SpecLoader.parse(text));
    assertEquals(ErrorCode.INVALID_SPEC, e.code());
    Set<String> keys =
        e.problems().stream().map(SpecProblem::key).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(
        new TreeSet<>(
            List.of(
                "id",
                "colour",
                "source.url",
                "source.password",
                "target.url",
                "scope.include",
                "mapping.naming",
                "migrate.strategy",
                "migrate.parallelism",
                "migrate.chunk_rows",
                "migrate.reject_limit",
                "migrate.dry_run",
                "migrate.chunk_size",
                "migrate.max_lag",
                "validation.sample_rows",
                "validation.latency_tolerance",
                "validation.repair",
                "validation.queries[0].sql",
                "cutover.window",
                "cutover.rto",
                "cutover.max_validation_age",
                "cutover.max_lag",
                "cutover.freeze",
                "cutover.rollback",
                "cutover.drill",
                "cutover.switch.path",
                "reviews.mapping",
                "reviews.deploy",
                "approvers.cutover",
                "approvers.default", // alice has no key (reviews.identity defaults to ssh)
                "approvers.ops")),
        keys);
    assertEquals(keys.size(), e.problems().size(), "one problem per key: " + e.problems());
    SpecProblem chunk =
        e.problems().stream()
            .filter(p -> p.key().equals("migrate.chunk_rows"))
            .findFirst()
            .orElseThrow();
    assertEquals("2000000000", chunk.value());
    assertEquals("must be 1..1000000000", chunk.rule());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    assertEquals(e.problems().size(), e.getMessage().lines().count() - 1, e.getMessage());
  }

  @Test
  void rollbackDefaultsToReverseForAnOnlinePostgresOrMariaDbMigrationAndReverseNeedsOnline() {
    assertFalse(SpecLoader.parse(FULL).reverseReplication(), "bulk: none by default");
    MigrationSpec online = SpecLoader.parse(FULL.replace("strategy: bulk", "strategy: online"));
    assertTrue(online.reverseReplication(), "online PostgreSQL -> PostgreSQL: reverse by default");
    MigrationSpec pinned =
        SpecLoader.parse(
            FULL.replace("strategy: bulk", "strategy: online")
                .replace("freeze: source-read-only", "freeze: source-read-only, rollback: none"));
    assertFalse(pinned.reverseReplication(), "rollback: none is kept");
    String mariaDb =
        FULL.replace("strategy: bulk", "strategy: online")
            .replace(
                "jdbc:postgresql://127.0.0.1:5433/Chinook",
                "jdbc:mariadb://127.0.0.1:3306/Chinook");
    assertTrue(
        SpecLoader.parse(mariaDb).reverseReplication(),
        "online MariaDB -> PostgreSQL: reverse by default (MariaDbReverseApplier)");
    assertFalse(
        SpecLoader.parse(mariaDb.replace("jdbc:mariadb:", "jdbc:mysql:")).reverseReplication(),
        "online MySQL: none by default (no session server_id to tag the applier's writes)");
    assertEquals(pinned, SpecLoader.parse(SpecLoader.render(pinned)), "round trip");
    SpecException bulk =
        assertThrows(
            SpecException.class,
            () ->
                SpecLoader.parse(
                    FULL.replace(
                        "freeze: source-read-only",
                        "freeze: source-read-only, rollback: reverse")));
    assertEquals(
        List.of("cutover.rollback"), bulk.problems().stream().map(SpecProblem::key).toList());
  }

  @Test
  void aWindowIsAnInstantOrAOneShotOrDailyMappingWithEveryProblemNamed() {
    MigrationSpec daily =
        SpecLoader.parse(
            FULL.replace(
                "window: null",
                "window: { start: \"02:00\", end: \"04:00\", zone: Europe/Berlin }"));
    assertTrue(daily.cutover().window().daily());
    assertEquals("wait", daily.cutover().window().afterEndOrDefault());
    assertEquals(daily, SpecLoader.parse(SpecLoader.render(daily)), "round trip");
    MigrationSpec instant =
        SpecLoader.parse(FULL.replace("window: null", "window: \"2026-12-05T22:00:00Z\""));
    assertTrue(instant.cutover().window().plainInstant());
    // the plain form stays a plain string in the rendered spec
    assertEquals(instant, SpecLoader.parse(SpecLoader.render(instant)));
    assertTrue(
        SpecLoader.render(instant)
            .lines()
            .anyMatch(l -> l.strip().matches("window: \"?2026-12-05T22:00:00Z\"?")),
        SpecLoader.render(instant));
    List<String> windows =
        List.of(
            "{ start: \"02:00\", end: \"04:00\", zone: Mars/Olympus, after_end: later }",
            "{ start: \"2026-12-06T02:00\", end: \"2026-12-05T02:00\", after_end: wait }",
            "{ end: \"04:00\", colour: red }",
            "{ start: 7, end: \"04:00\" }",
            "[02:00, 04:00]");
    List<List<String>> expected =
        List.of(
            List.of("cutover.window.zone", "cutover.window.after_end"),
            List.of("cutover.window.end", "cutover.window.after_end"),
            List.of("cutover.window.colour", "cutover.window.start"),
            List.of("cutover.window.start"),
            List.of("cutover.window"));
    for (int i = 0; i < windows.size(); i++) {
      String text = FULL.replace("window: null", "window: " + windows.get(i));
      SpecException e = assertThrows(SpecException.class, () -> SpecLoader.parse(text));
      assertEquals(
          expected.get(i),
          e.problems().stream().map(SpecProblem::key).toList(),
          windows.get(i) + ": " + e.problems());
    }
  }

  @Test
  void everySwitchProblemIsListedAndNoSecretIsShown() {
    List<String> switches =
        List.of(
            "{ type: blue-green }",
            "{ type: command }",
            "{ type: command, command: [] , timeout: soon }",
            "{ type: command, command: [/bin/repoint, \"--password=hunter2\", \"${env:PW}\"] }",
            "{ type: pgbouncer }",
            "{ type: pgbouncer, database: app, ini: /etc/pgbouncer/pgbouncer.ini, entry:"
                + " \"host=h password=hunter2\", admin: { url:"
                + " \"jdbc:postgresql://h:6432/app?password=hunter2\", password: hunter2 } }");
    List<List<String>> expected =
        List.of(
            List.of("cutover.switch.type"),
            List.of("cutover.switch.command"),
            List.of("cutover.switch.timeout", "cutover.switch.command"),
            List.of("cutover.switch.command[1]"),
            List.of("cutover.switch.database", "cutover.switch.ini", "cutover.switch.admin"),
            List.of(
                "cutover.switch.entry",
                "cutover.switch.admin.url",
                "cutover.switch.admin.url",
                "cutover.switch.admin.user",
                "cutover.switch.admin.password"));
    for (int i = 0; i < switches.size(); i++) {
      String text = FULL.replace("switch: { type: none }", "switch: " + switches.get(i));
      SpecException e = assertThrows(SpecException.class, () -> SpecLoader.parse(text));
      assertEquals(
          expected.get(i),
          e.problems().stream().map(SpecProblem::key).toList(),
          switches.get(i) + ": " + e.problems());
      assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }
    MigrationSpec command =
        SpecLoader.parse(
            FULL.replace(
                "switch: { type: none }",
                "switch: { type: command, command: [/bin/repoint, --to-new], timeout: PT5S }"));
    assertEquals(List.of("/bin/repoint", "--to-new"), command.cutover().switchTo().command());
    MigrationSpec bouncer =
        SpecLoader.parse(
            FULL.replace(
                "switch: { type: none }",
                "switch: { type: pgbouncer, database: app, ini: /etc/pgbouncer/pgbouncer.ini,"
                    + " admin: { url: \"jdbc:postgresql://127.0.0.1:6432/pgbouncer\", user: admin,"
                    + " password: \"${env:PGB_PW}\" } }"));
    assertEquals("admin", bouncer.cutover().switchTo().admin().user());
    assertEquals("PT60S", bouncer.cutover().switchTo().timeoutOrDefault());
    assertEquals(bouncer, SpecLoader.parse(SpecLoader.render(bouncer)), "round trip");
  }

  /** PostgreSQL as a source that offers change capture (a stand-in until its reader is merged). */
  private static io.migrationstudio.core.dialect.Dialect capturing(
      io.migrationstudio.core.dialect.Dialect base) {
    io.migrationstudio.core.cdc.ChangeCapture capture =
        (io.migrationstudio.core.cdc.ChangeCapture)
            java.lang.reflect.Proxy.newProxyInstance(
                SpecLoaderTest.class.getClassLoader(),
                new Class<?>[] {io.migrationstudio.core.cdc.ChangeCapture.class},
                (proxy, method, args) -> {
                  throw new UnsupportedOperationException("not read by the spec check");
                });
    return (io.migrationstudio.core.dialect.Dialect)
        java.lang.reflect.Proxy.newProxyInstance(
            SpecLoaderTest.class.getClassLoader(),
            new Class<?>[] {io.migrationstudio.core.dialect.Dialect.class},
            (proxy, method, args) ->
                method.getName().equals("changeCapture")
                    ? java.util.Optional.of(capture)
                    : method.invoke(base, args));
  }

  @Test
  void strategyIsBulkByDefaultAndOnlineWithAMaxLagWhenTheSourceOffersChangeCapture() {
    MigrationSpec bulk = SpecLoader.parse(FULL);
    assertEquals("bulk", bulk.migrate().strategy());
    assertFalse(bulk.migrate().online());
    assertEquals("PT5S", bulk.migrate().maxLag(), "default max_lag");
    List<io.migrationstudio.core.dialect.Dialect> dialects =
        List.of(capturing(new io.migrationstudio.core.dialect.postgres.PostgresDialect()));
    MigrationSpec online =
        SpecLoader.parse(
            FULL.replace("strategy: bulk,", "strategy: online, max_lag: PT30S,"), dialects);
    assertTrue(online.migrate().online());
    assertEquals("PT30S", online.migrate().maxLag());
    assertTrue(
        SpecLoader.render(online).contains("max_lag: \"PT30S\"")
            || SpecLoader.render(online).contains("max_lag: PT30S"),
        SpecLoader.render(online));
    for (String bad : List.of("PT0S", "-PT1S", "5s")) {
      SpecException e =
          assertThrows(
              SpecException.class,
              () ->
                  SpecLoader.parse(
                      FULL.replace("strategy: bulk,", "strategy: online, max_lag: " + bad + ","),
                      dialects),
              bad);
      assertEquals(
          List.of("migrate.max_lag"), e.problems().stream().map(SpecProblem::key).toList(), bad);
    }
  }

  @Test
  void onlineIsRefusedForASourceWithoutChangeCaptureNamingTheEngineAndTheAlternatives() {
    String sqliteOnline =
        FULL.replace("jdbc:postgresql://127.0.0.1:5433/Chinook", "jdbc:sqlite:/data/chinook.db")
            .replace("strategy: bulk,", "strategy: online,");
    // the dialects of this build: SQLite has no change log
    SpecException e = assertThrows(SpecException.class, () -> SpecLoader.parse(sqliteOnline));
    assertEquals(List.of("migrate.strategy"), e.problems().stream().map(SpecProblem::key).toList());
    SpecProblem p = e.problems().get(0);
    assertEquals("online", p.value());
    assertTrue(p.rule().contains("sqlite"), p.rule());
    assertTrue(p.rule().contains("Use strategy bulk"), p.rule());
    // with an engine that captures changes, it is named as the alternative
    List<io.migrationstudio.core.dialect.Dialect> dialects =
        List.of(
            new io.migrationstudio.core.dialect.sqlite.SqliteDialect(),
            capturing(new io.migrationstudio.core.dialect.postgres.PostgresDialect()));
    SpecException named =
        assertThrows(SpecException.class, () -> SpecLoader.parse(sqliteOnline, dialects));
    assertTrue(
        named.problems().get(0).rule().endsWith("an engine with change capture: postgresql"),
        named.problems().get(0).rule());
    // bulk from the same source is fine
    SpecLoader.parse(sqliteOnline.replace("strategy: online,", "strategy: bulk,"), dialects);
  }

  @Test
  void urlsMustBeSupportedAndCarryNoCredentials() {
    String text =
        FULL.replace("jdbc:postgresql://127.0.0.1:5433/Chinook", "jdbc:oracle:thin:@db:1521/x")
            .replace(
                "jdbc:postgresql://127.0.0.1:5432/chinook",
                "jdbc:postgresql://db/chinook?user=a&password=s3cret");
    SpecException e = assertThrows(SpecException.class, () -> SpecLoader.parse(text));
    assertEquals(
        List.of("source.url", "target.url"), e.problems().stream().map(SpecProblem::key).toList());
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
  }

  @Test
  void malformedTextIsOneProblem() {
    SpecException e =
        assertThrows(SpecException.class, () -> SpecLoader.parse("id: [unclosed\nsource: {"));
    assertEquals(1, e.problems().size());
    assertEquals("", e.problems().get(0).key());
    assertThrows(SpecException.class, () -> SpecLoader.parse("   "));
    assertThrows(SpecException.class, () -> SpecLoader.parse("- a\n- b\n"));
    SpecException dup =
        assertThrows(SpecException.class, () -> SpecLoader.parse(FULL + "id: other\n"));
    assertEquals(1, dup.problems().size());
  }

  @Test
  void idRuleAcceptsOnlyLowerCaseDashedNamesUpTo63Characters() {
    for (String ok : List.of("a", "0", "chinook-to-pg", "a".repeat(63), "9-")) {
      assertTrue(SpecLoader.ID.matcher(ok).matches(), ok);
    }
    for (String bad : List.of("", "-a", "A", "a_b", "a.b", "a".repeat(64), "é")) {
      assertFalse(SpecLoader.ID.matcher(bad).matches(), bad);
    }
  }

  @Test
  void approversNeedKeysUnlessTheSpecSaysIdentityNone() {
    String withAlice = FULL.replace("default: []", "default: [alice]");
    SpecException e = assertThrows(SpecException.class, () -> SpecLoader.parse(withAlice));
    assertEquals(
        List.of("approvers.default = alice"),
        e.problems().stream().map(p -> p.key() + " = " + p.value()).toList());
    assertTrue(e.problems().get(0).rule().contains("reviews.identity: none"), e.getMessage());
    assertEquals(ReviewIdentity.SSH, SpecLoader.parse(FULL).reviews().identity(), "the default");
    MigrationSpec none =
        SpecLoader.parse(
            withAlice.replace("cutover: external }", "cutover: external, identity: none }"));
    assertEquals(ReviewIdentity.NONE, none.reviews().identity());
    SpecException bogus =
        assertThrows(
            SpecException.class,
            () ->
                SpecLoader.parse(
                    FULL.replace(
                        "cutover: external }",
                        "cutover: external, identity: gpg, allowed_signers: keys/nowhere }")));
    assertEquals(
        List.of("reviews.identity", "reviews.allowed_signers"),
        bogus.problems().stream().map(SpecProblem::key).toList());
  }

  @Test
  void anExternalGateNeedsAStageApproverUnlessAutoApproved() {
    MigrationSpec spec = SpecLoader.parse(FULL);
    List<SpecProblem> problems = SpecLoader.problemsForGates(spec);
    assertEquals(List.of("reviews.cutover"), problems.stream().map(SpecProblem::key).toList());
    assertEquals(List.of(), SpecLoader.problemsForGates(spec, Set.of(Stage.CUTOVER)));
    String unsigned = FULL.replace("cutover: external }", "cutover: external, identity: none }");
    MigrationSpec withApprover =
        SpecLoader.parse(unsigned.replace("cutover: [] }", "cutover: [change-board] }"));
    assertEquals(List.of(), SpecLoader.problemsForGates(withApprover));
    MigrationSpec defaultsOnly =
        SpecLoader.parse(unsigned.replace("default: []", "default: [alice]"));
    assertEquals(
        1, SpecLoader.problemsForGates(defaultsOnly).size(), "defaults never open external");
  }

  @Test
  void knownKeysFollowJsonPropertyNames() {
    assertTrue(
        SpecLoader.knownKeys(io.migrationstudio.contracts.spec.CutoverOptions.class)
            .contains("switch"));
    assertTrue(
        SpecLoader.knownKeys(io.migrationstudio.contracts.spec.MigrateOptions.class)
            .contains("chunk_rows"));
  }

  @Test
  void throttlingKeysAreReadAndCheckedWithKeyValueAndRule() {
    String ok =
        FULL.replace(
            "dry_run: false }",
            "dry_run: true, max_rows_per_second: 20000,"
                + " source_load_guard: { max_active_sessions: 8, backoff: PT2S } }");
    MigrationSpec spec = SpecLoader.parse(ok);
    assertTrue(spec.migrate().dryRun());
    assertEquals(20_000L, spec.migrate().maxRowsPerSecond());
    assertEquals(8, spec.migrate().sourceLoadGuard().maxActiveSessions());
    assertEquals(
        java.time.Duration.ofSeconds(2), spec.migrate().sourceLoadGuard().backoffDuration());
    assertEquals(null, SpecLoader.parse(FULL).migrate().sourceLoadGuard());

    String bad =
        FULL.replace(
            "dry_run: false }",
            "max_rows_per_second: 0,"
                + " source_load_guard: { max_active_sessions: -1, backoff: 5 seconds, sessions: 3 } }");
    SpecException e = assertThrows(SpecException.class, () -> SpecLoader.parse(bad));
    assertEquals(ErrorCode.INVALID_SPEC, e.code());
    assertEquals(
        new TreeSet<>(
            List.of(
                "migrate.max_rows_per_second",
                "migrate.source_load_guard.max_active_sessions",
                "migrate.source_load_guard.backoff",
                "migrate.source_load_guard.sessions")),
        e.problems().stream().map(SpecProblem::key).collect(Collectors.toCollection(TreeSet::new)));
    SpecException missing =
        assertThrows(
            SpecException.class,
            () ->
                SpecLoader.parse(
                    FULL.replace("dry_run: false }", "source_load_guard: { backoff: PT1S } }")));
    assertEquals("migrate.source_load_guard.max_active_sessions", missing.problems().get(0).key());
  }

  @Test
  void withoutASizeChunksAreSizedByBytesAndLedgerlessValidationByRows() {
    io.migrationstudio.contracts.spec.MigrateOptions unsized =
        SpecLoader.parse(FULL.replace(" chunk_rows: 50000,", "")).migrate();
    assertEquals(256L * 1024 * 1024, unsized.chunkBytes(), "256 MiB chunks by default");
    assertEquals(
        io.migrationstudio.contracts.spec.MigrateOptions.CHUNK_ROWS_WHEN_SIZED_BY_BYTES,
        unsized.chunkRows());
    assertEquals(50_000, io.migrationstudio.core.validate.Validator.ledgerlessChunkRows(unsized));
    assertEquals(
        unsized, io.migrationstudio.contracts.spec.MigrateOptions.defaults(), "no migrate section");
    io.migrationstudio.contracts.spec.MigrateOptions rows =
        SpecLoader.parse(FULL.replace(" chunk_rows: 50000,", " chunk_rows: 700,")).migrate();
    assertEquals(null, rows.chunkBytes(), "chunk_rows alone: sized by rows only");
    assertEquals(700, io.migrationstudio.core.validate.Validator.ledgerlessChunkRows(rows));
    io.migrationstudio.contracts.spec.MigrateOptions bytes =
        SpecLoader.parse(FULL.replace(" chunk_rows: 50000,", " chunk_bytes: 4096,")).migrate();
    assertEquals(50_000, io.migrationstudio.core.validate.Validator.ledgerlessChunkRows(bytes));
  }

  @Test
  void chunkBytesIsReadCheckedAndLiftsTheDefaultRowCeiling() {
    assertEquals(null, SpecLoader.parse(FULL).migrate().chunkBytes());
    MigrationSpec bytesOnly =
        SpecLoader.parse(FULL.replace(" chunk_rows: 50000,", " chunk_bytes: 67108864,"));
    assertEquals(67_108_864L, bytesOnly.migrate().chunkBytes());
    assertEquals(
        io.migrationstudio.contracts.spec.MigrateOptions.CHUNK_ROWS_WHEN_SIZED_BY_BYTES,
        bytesOnly.migrate().chunkRows(),
        "chunk_bytes alone: rows are not capped at the 50,000 default");
    MigrationSpec both =
        SpecLoader.parse(
            FULL.replace(" chunk_rows: 50000,", " chunk_rows: 700, chunk_bytes: 4096,"));
    assertEquals(700, both.migrate().chunkRows());
    assertEquals(4096L, both.migrate().chunkBytes());
    SpecException e =
        assertThrows(
            SpecException.class,
            () -> SpecLoader.parse(FULL.replace(" chunk_rows: 50000,", " chunk_bytes: 10,")));
    assertEquals("migrate.chunk_bytes", e.problems().get(0).key());
  }
}
