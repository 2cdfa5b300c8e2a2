package io.migrationstudio.contracts.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code cutover.window}: when the approved cutover may execute. Three forms:
 *
 * <ul>
 *   <li>an ISO-8601 instant ({@code "2026-12-05T22:00:00Z"}): the cutover waits for it, then runs
 *       at any later time (the form before windows had an end);
 *   <li>one-shot {@code { start, end, zone }} with dates ({@code start: "2026-12-05T22:00", end:
 *       "2026-12-06T02:00", zone: Europe/Berlin}; instants with an offset are taken as they are);
 *   <li>daily {@code { start: "02:00", end: "04:00", zone: Europe/Berlin }}: every day from start
 *       to end, wall-clock time of {@code zone} (an end before the start crosses midnight).
 * </ul>
 *
 * {@code zone} defaults to UTC. {@code after_end}: what an approved cutover does when the window
 * has ended: {@code wait} for the next window (daily only, its default) or {@code refuse} (the
 * default of a one-shot window, which has no next one). On a day the clocks change, a wall time
 * that does not exist moves forward by the gap and an ambiguous one takes the earlier offset (as
 * {@link ZonedDateTime#of} does), so a window can be an hour shorter or longer that day.
 */
public record CutoverWindow(String start, String end, String zone, String afterEnd) {
  public static final String WAIT = "wait";
  public static final String REFUSE = "refuse";

  public CutoverWindow {
    Objects.requireNonNull(start, "cutover.window.start is required");
  }

  /** The plain-instant form. */
  public static CutoverWindow at(String instant) {
    return instant == null || instant.isBlank()
        ? null
        : new CutoverWindow(instant, null, null, null);
  }

  /** From the spec: a string (an instant) or a mapping with start, end, zone, after_end. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static CutoverWindow from(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof String s) {
      return at(s);
    }
    if (value instanceof Map<?, ?> m) {
      return new CutoverWindow(
          text(m.get("start")), text(m.get("end")), text(m.get("zone")), text(m.get("after_end")));
    }
    throw new IllegalArgumentException(
        "cutover.window must be an ISO-8601 instant or a mapping { start, end, zone }");
  }

  private static String text(Object o) {
    return o == null ? null : o.toString();
  }

  /** The spec's form: the instant alone for the plain form, else the mapping. */
  @JsonValue
  public Object json() {
    if (plainInstant()) {
      return start;
    }
    Map<String, String> m = new LinkedHashMap<>();
    m.put("start", start);
    if (end != null) {
      m.put("end", end);
    }
    if (zone != null) {
      m.put("zone", zone);
    }
    if (afterEnd != null) {
      m.put("after_end", afterEnd);
    }
    return m;
  }

  /** The form before windows had an end: an instant to wait for. */
  public boolean plainInstant() {
    return end == null && zone == null && afterEnd == null;
  }

  /** A daily window: start and end are wall-clock times. */
  public boolean daily() {
    return end != null && isTime(start);
  }

  /** {@code after_end}, or its default: wait for a daily window, refuse for a one-shot one. */
  public String afterEndOrDefault() {
    return afterEnd != null ? afterEnd : daily() ? WAIT : REFUSE;
  }

  public ZoneId zoneId() {
    return zone == null ? java.time.ZoneOffset.UTC : ZoneId.of(zone);
  }

  /**
   * What an approved cutover does at {@code now}: run, wait until an instant, or refuse. Pure
   * arithmetic (no clock): the workflow passes its deterministic time.
   */
  public Decision decide(Instant now) {
    if (plainInstant()) {
      Instant at = Instant.parse(start);
      return now.isBefore(at) ? Decision.waitUntil(at, describe()) : Decision.open(null);
    }
    if (!daily()) {
      Instant from = instant(start);
      Instant to = instant(end);
      if (now.isBefore(from)) {
        return Decision.waitUntil(from, describe());
      }
      if (now.isBefore(to)) {
        return Decision.open(to);
      }
      return Decision.refuse(
          "the cutover window " + describe() + " ended at " + to + " before the cutover could run");
    }
    LocalTime from = LocalTime.parse(start);
    LocalTime to = LocalTime.parse(end);
    ZoneId z = zoneId();
    LocalDate today = now.atZone(z).toLocalDate();
    // the windows that opened yesterday or today (one of them may still be open), then today's
    // and tomorrow's opening
    for (LocalDate day : new LocalDate[] {today.minusDays(1), today}) {
      Instant open = ZonedDateTime.of(day, from, z).toInstant();
      Instant close = closing(day, from, to, z);
      if (!now.isBefore(open) && now.isBefore(close)) {
        return Decision.open(close);
      }
    }
    Instant todayOpens = ZonedDateTime.of(today, from, z).toInstant();
    if (now.isBefore(todayOpens)) {
      return Decision.waitUntil(todayOpens, describe());
    }
    // outside every window and after today's opening: today's window has ended
    if (REFUSE.equals(afterEndOrDefault())) {
      return Decision.refuse(
          "the cutover window "
              + describe()
              + " of "
              + today
              + " has ended and cutover.window.after_end is refuse");
    }
    Instant next = ZonedDateTime.of(today.plusDays(1), from, z).toInstant();
    return Decision.waitUntil(next, describe());
  }

  private static Instant closing(LocalDate day, LocalTime from, LocalTime to, ZoneId z) {
    return ZonedDateTime.of(to.isAfter(from) ? day : day.plusDays(1), to, z).toInstant();
  }

  /** An instant, or a local date-time in {@code zone}. */
  private Instant instant(String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeException notAnInstant) {
      try {
        return java.time.OffsetDateTime.parse(value).toInstant();
      } catch (DateTimeException noOffset) {
        return LocalDateTime.parse(value).atZone(zoneId()).toInstant();
      }
    }
  }

  /** One line for people: {@code daily 02:00-04:00 Europe/Berlin}. */
  public String describe() {
    if (plainInstant()) {
      return "from " + start;
    }
    String z = zone == null ? "UTC" : zone;
    return (daily() ? "daily " + start + "-" + end : start + " to " + end) + " " + z;
  }

  /**
   * Every rule the window breaks, as "key: rule" lines; empty when it is valid. The spec checker
   * lists them with the key.
   */
  public java.util.List<String> problems() {
    java.util.List<String> out = new java.util.ArrayList<>();
    if (plainInstant()) {
      try {
        Instant.parse(start);
      } catch (DateTimeException e) {
        out.add(
            "cutover.window: must be null, an ISO-8601 instant such as 2026-12-05T22:00:00Z, or"
                + " a mapping { start, end, zone }");
      }
      return out;
    }
    if (zone != null) {
      try {
        ZoneId.of(zone);
      } catch (DateTimeException e) {
        out.add("cutover.window.zone: must be a time zone id such as Europe/Berlin or UTC");
      }
    }
    if (afterEnd != null && !WAIT.equals(afterEnd) && !REFUSE.equals(afterEnd)) {
      out.add("cutover.window.after_end: must be one of [wait, refuse]");
    }
    if (end == null) {
      out.add(
          "cutover.window.end: is required with a window mapping (start alone: give the"
              + " instant as cutover.window)");
      return out;
    }
    boolean startTime = isTime(start);
    boolean endTime = isTime(end);
    if (startTime != endTime) {
      out.add(
          "cutover.window: start and end must both be times of day (\"02:00\", daily) or both"
              + " date-times (\"2026-12-05T22:00\", once)");
      return out;
    }
    if (startTime) {
      if (LocalTime.parse(start).equals(LocalTime.parse(end))) {
        out.add("cutover.window.end: must differ from start (a daily window of 0 or 24 hours)");
      }
      return out;
    }
    Instant from = null;
    Instant to = null;
    try {
      from = instant(start);
    } catch (DateTimeException e) {
      out.add(
          "cutover.window.start: must be a time of day (\"02:00\") or a date-time"
              + " (\"2026-12-05T22:00\", or an instant with an offset)");
    }
    try {
      to = instant(end);
    } catch (DateTimeException e) {
      out.add(
          "cutover.window.end: must be a time of day (\"04:00\") or a date-time"
              + " (\"2026-12-06T02:00\", or an instant with an offset)");
    }
    if (from != null && to != null && !to.isAfter(from)) {
      out.add("cutover.window.end: must be after start");
    }
    if (WAIT.equals(afterEnd)) {
      out.add(
          "cutover.window.after_end: wait needs a daily window; a one-shot window has no next"
              + " one (use refuse, or a daily window)");
    }
    return out;
  }

  private static boolean isTime(String s) {
    try {
      LocalTime.parse(s);
      return true;
    } catch (DateTimeException e) {
      return false;
    }
  }

  /** The verdict of {@link #decide}: run now (until {@code closes}), wait until, or refuse. */
  public record Decision(Kind kind, Instant until, String detail) {
    public enum Kind {
      OPEN,
      WAIT,
      REFUSE
    }

    static Decision open(Instant closes) {
      return new Decision(Kind.OPEN, closes, null);
    }

    static Decision waitUntil(Instant opens, String window) {
      return new Decision(Kind.WAIT, opens, window);
    }

    static Decision refuse(String why) {
      return new Decision(Kind.REFUSE, null, why);
    }
  }
}
