package io.migrationstudio.contracts.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.migrationstudio.contracts.spec.CutoverWindow.Decision;
import io.migrationstudio.contracts.spec.CutoverWindow.Decision.Kind;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The window arithmetic: pure functions of an instant, on ordinary days and DST days. */
class CutoverWindowTest {
  static final CutoverWindow BERLIN_NIGHT =
      new CutoverWindow("02:00", "04:00", "Europe/Berlin", null);

  private static Decision at(CutoverWindow w, String instant) {
    return w.decide(Instant.parse(instant));
  }

  @Test
  void aDailyWindowIsOpenBetweenItsWallClockTimes() {
    // winter: Berlin is UTC+1, so 02:00-04:00 is 01:00Z-03:00Z
    assertEquals(
        new Decision(
            Kind.WAIT, Instant.parse("2026-01-15T01:00:00Z"), "daily 02:00-04:00 Europe/Berlin"),
        at(BERLIN_NIGHT, "2026-01-15T00:59:59Z"));
    assertEquals(
        new Decision(Kind.OPEN, Instant.parse("2026-01-15T03:00:00Z"), null),
        at(BERLIN_NIGHT, "2026-01-15T01:00:00Z"));
    assertEquals(Kind.OPEN, at(BERLIN_NIGHT, "2026-01-15T02:59:59Z").kind());
    // after the end: the next night (after_end defaults to wait for a daily window)
    assertEquals(
        new Decision(
            Kind.WAIT, Instant.parse("2026-01-16T01:00:00Z"), "daily 02:00-04:00 Europe/Berlin"),
        at(BERLIN_NIGHT, "2026-01-15T03:00:00Z"));
    // summer: UTC+2
    assertEquals(
        new Decision(Kind.OPEN, Instant.parse("2026-07-01T02:00:00Z"), null),
        at(BERLIN_NIGHT, "2026-07-01T00:30:00Z"));
  }

  @Test
  void onTheDaysTheClocksChangeTheWindowIsShorterOrLonger() {
    // 2026-03-29: 02:00 does not exist in Berlin (clocks jump to 03:00 CEST = 01:00Z):
    // the window opens at 03:00 CEST and closes at 04:00 CEST (02:00Z), one hour long
    Decision spring = at(BERLIN_NIGHT, "2026-03-29T00:30:00Z");
    assertEquals(
        new Decision(
            Kind.WAIT, Instant.parse("2026-03-29T01:00:00Z"), "daily 02:00-04:00 Europe/Berlin"),
        spring);
    Decision open = at(BERLIN_NIGHT, "2026-03-29T01:00:00Z");
    assertEquals(new Decision(Kind.OPEN, Instant.parse("2026-03-29T02:00:00Z"), null), open);
    assertEquals(Kind.WAIT, at(BERLIN_NIGHT, "2026-03-29T02:00:00Z").kind());
    // 2026-10-25: 02:00-03:00 happens twice; the window opens at the first 02:00 (CEST = 00:00Z)
    // and closes at 04:00 CET (03:00Z): three hours
    Decision autumn = at(BERLIN_NIGHT, "2026-10-25T00:00:00Z");
    assertEquals(new Decision(Kind.OPEN, Instant.parse("2026-10-25T03:00:00Z"), null), autumn);
    assertEquals(
        Duration.ofHours(3),
        Duration.between(Instant.parse("2026-10-25T00:00:00Z"), autumn.until()));
    assertEquals(Kind.OPEN, at(BERLIN_NIGHT, "2026-10-25T02:59:59Z").kind());
  }

  @Test
  void aWindowAcrossMidnightIsOpenOnBothSides() {
    CutoverWindow w = new CutoverWindow("22:00", "02:00", "UTC", null);
    assertEquals(
        new Decision(Kind.OPEN, Instant.parse("2026-05-02T02:00:00Z"), null),
        at(w, "2026-05-01T23:00:00Z"));
    assertEquals(
        new Decision(Kind.OPEN, Instant.parse("2026-05-02T02:00:00Z"), null),
        at(w, "2026-05-02T01:59:00Z"));
    assertEquals(Instant.parse("2026-05-02T22:00:00Z"), at(w, "2026-05-02T02:00:00Z").until());
  }

  @Test
  void afterTheEndADailyWindowRefusesWhenToldSo() {
    CutoverWindow refuse = new CutoverWindow("02:00", "04:00", "UTC", "refuse");
    assertEquals(Kind.WAIT, at(refuse, "2026-05-01T01:00:00Z").kind(), "before today's window");
    Decision late = at(refuse, "2026-05-01T04:00:00Z");
    assertEquals(Kind.REFUSE, late.kind());
    assertTrue(late.detail().contains("of 2026-05-01 has ended"), late.detail());
  }

  @Test
  void aOneShotWindowWaitsRunsAndRefusesAfterItsEnd() {
    CutoverWindow once =
        new CutoverWindow("2026-12-05T22:00", "2026-12-06T02:00", "Europe/Berlin", null);
    assertEquals("refuse", once.afterEndOrDefault());
    assertEquals(Instant.parse("2026-12-05T21:00:00Z"), at(once, "2026-12-05T12:00:00Z").until());
    assertEquals(Kind.OPEN, at(once, "2026-12-05T21:00:00Z").kind());
    Decision late = at(once, "2026-12-06T01:00:00Z");
    assertEquals(Kind.REFUSE, late.kind());
    assertTrue(late.detail().contains("ended at 2026-12-06T01:00:00Z"), late.detail());
    // the plain instant of before: wait for it, then any time
    CutoverWindow plain = CutoverWindow.at("2026-12-05T22:00:00Z");
    assertEquals(Kind.WAIT, at(plain, "2026-12-05T21:00:00Z").kind());
    assertEquals(new Decision(Kind.OPEN, null, null), at(plain, "2027-01-01T00:00:00Z"));
  }

  @Test
  void everyBrokenRuleIsNamed() {
    assertEquals(List.of(), BERLIN_NIGHT.problems());
    assertEquals(1, CutoverWindow.at("tomorrow").problems().size());
    assertEquals(
        List.of(
            "cutover.window.zone: must be a time zone id such as Europe/Berlin or UTC",
            "cutover.window.after_end: must be one of [wait, refuse]"),
        new CutoverWindow("02:00", "04:00", "Mars/Olympus", "maybe").problems());
    assertTrue(
        new CutoverWindow("02:00", null, null, "wait")
            .problems()
            .get(0)
            .startsWith("cutover.window.end"));
    assertTrue(
        new CutoverWindow("02:00", "2026-12-06T02:00", null, null)
            .problems()
            .get(0)
            .contains("both"));
    assertEquals(
        List.of(
            "cutover.window.end: must be after start",
            "cutover.window.after_end: wait needs a daily window; a one-shot window has no next one"
                + " (use refuse, or a daily window)"),
        new CutoverWindow("2026-12-06T02:00", "2026-12-05T02:00", null, "wait").problems());
  }

  @Test
  void bothFormsSurviveTemporalsJsonConverter() {
    DataConverter converter = DefaultDataConverter.newDefaultInstance();
    for (CutoverOptions o :
        List.of(
            CutoverOptions.defaults().withWindow(CutoverWindow.at("2026-12-05T22:00:00Z")),
            CutoverOptions.defaults().withWindow(BERLIN_NIGHT),
            CutoverOptions.defaults())) {
      Optional<Payload> p = converter.toPayload(o);
      String json = p.orElseThrow().getData().toString(StandardCharsets.UTF_8);
      assertEquals(
          o, converter.fromPayload(p.get(), CutoverOptions.class, CutoverOptions.class), json);
      if (o.window() != null && o.window().plainInstant()) {
        assertTrue(json.contains("\"window\":\"2026-12-05T22:00:00Z\""), json);
      }
    }
    assertNull(CutoverOptions.defaults().window());
    assertTrue(
        converter
            .toPayload(CutoverOptions.defaults().withWindow(BERLIN_NIGHT))
            .orElseThrow()
            .getData()
            .toString(StandardCharsets.UTF_8)
            .contains(
                "\"window\":{\"start\":\"02:00\",\"end\":\"04:00\",\"zone\":\"Europe/Berlin\"}"));
  }
}
