package io.migrationstudio.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.migrationstudio.contracts.spec.Approvers;
import io.migrationstudio.contracts.spec.MigrationSpec;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code with*} copy of every record in {@code contracts} (the spec included) keeps every
 * other component: a record is built with a non-default value in every component, each {@code
 * with*} is called with another value, and every other component must read the same. A copy that
 * goes through a shorter constructor (as {@code MigrationSpec.withReviews} once did, dropping
 * {@code assessment:}) fails here. Records have one constructor, the canonical one, at the
 * boundaries.
 */
class RecordCopiesTest {

  @Test
  void everyWithMethodKeepsEveryOtherComponent() throws Exception {
    List<Class<?>> records = contractRecords();
    assertFalse(records.isEmpty(), "no records found under the contracts classes");
    int checked = 0;
    for (Class<?> type : records) {
      for (Method m : type.getDeclaredMethods()) {
        if (!isCopy(type, m)) {
          continue;
        }
        Object original = build(type, 0);
        Object[] args = new Object[m.getParameterCount()];
        for (int i = 0; i < args.length; i++) {
          args[i] = value(m.getGenericParameterTypes()[i], m.getName() + i, 1);
        }
        Object copy = m.invoke(original, args);
        String changed = changedComponent(m);
        for (RecordComponent c : type.getRecordComponents()) {
          if (c.getName().equalsIgnoreCase(changed)) {
            assertNotEquals(
                c.getAccessor().invoke(original),
                c.getAccessor().invoke(copy),
                type.getSimpleName() + "." + m.getName() + " did not change " + c.getName());
            continue;
          }
          assertEquals(
              c.getAccessor().invoke(original),
              c.getAccessor().invoke(copy),
              type.getSimpleName()
                  + "."
                  + m.getName()
                  + " lost component "
                  + c.getName()
                  + ": build the copy through the canonical constructor with every component");
        }
        checked++;
      }
    }
    assertFalse(checked == 0, "no with* method found; the scan is broken");
  }

  @Test
  void theStrategyCopiesKeepMaxLagAndTheOtherMigrateOptions() {
    var options =
        new io.migrationstudio.contracts.spec.MigrateOptions(
            "bulk", 3, 100, 2L, false, 50L, null, 4096L, "replace", "PT9S", null);
    var online = options.withStrategy("online");
    assertEquals("online", online.strategy());
    assertEquals("PT9S", online.maxLag(), "max_lag kept");
    assertEquals(options.withStrategy("bulk"), options, "every other option kept");
    assertEquals(
        "PT5S",
        io.migrationstudio.contracts.spec.MigrateOptions.defaults().maxLag(),
        "the default max_lag");
  }

  /** Wide records outside the spec package that keep to the canonical constructor too. */
  private static final List<Class<?>> WIDE_OUTSIDE_SPEC =
      List.of(io.migrationstudio.contracts.workflow.StreamProgress.class);

  @Test
  void theWideSpecRecordsHaveOnlyTheirCanonicalConstructor() {
    for (Class<?> type : contractRecords()) {
      boolean wide =
          type.getPackage().equals(MigrationSpec.class.getPackage())
              || WIDE_OUTSIDE_SPEC.contains(type);
      if (!wide || type.getRecordComponents().length < 8) {
        continue;
      }
      Class<?>[] canonical =
          Stream.of(type.getRecordComponents()).map(RecordComponent::getType).toArray(Class[]::new);
      for (Constructor<?> k : type.getDeclaredConstructors()) {
        if (Modifier.isPublic(k.getModifiers())
            && !java.util.Arrays.equals(k.getParameterTypes(), canonical)) {
          fail(
              type.getSimpleName()
                  + " has a shorter public constructor "
                  + k
                  + ": a copy through it silently drops components; use the canonical one");
        }
      }
    }
  }

  private static boolean isCopy(Class<?> type, Method m) {
    return m.getName().startsWith("with")
        && m.getName().length() > 4
        && Character.isUpperCase(m.getName().charAt(4))
        && Modifier.isPublic(m.getModifiers())
        && !Modifier.isStatic(m.getModifiers())
        && m.getReturnType() == type;
  }

  /** {@code withReviews} changes {@code reviews}; {@code withPath} changes {@code path}. */
  private static String changedComponent(Method m) {
    return m.getName().substring(4);
  }

  static List<Class<?>> contractRecords() {
    try {
      Path root =
          Path.of(MigrationSpec.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      List<Class<?>> out = new ArrayList<>();
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
          String name =
              root.relativize(f)
                  .toString()
                  .replace('/', '.')
                  .replace('\\', '.')
                  .replace(".class", "");
          Class<?> c = Class.forName(name, false, RecordCopiesTest.class.getClassLoader());
          if (c.isRecord()) {
            out.add(c);
          }
        }
      }
      return out;
    } catch (Exception e) {
      throw new IllegalStateException("cannot list the contracts classes", e);
    }
  }

  /** A record with a non-default, variant-specific value in every component. */
  static Object build(Class<?> type, int variant) throws Exception {
    RecordComponent[] cs = type.getRecordComponents();
    Class<?>[] types = new Class<?>[cs.length];
    Object[] values = new Object[cs.length];
    for (int i = 0; i < cs.length; i++) {
      types[i] = cs[i].getType();
      values[i] = value(cs[i].getGenericType(), cs[i].getName(), variant);
    }
    Constructor<?> k = type.getDeclaredConstructor(types);
    k.setAccessible(true);
    try {
      return k.newInstance(values);
    } catch (InvocationTargetException e) {
      throw new AssertionError(
          "cannot build "
              + type.getSimpleName()
              + " with generated values; teach RecordCopiesTest a valid value: "
              + e.getCause(),
          e.getCause());
    }
  }

  static Object value(Type t, String name, int variant) throws Exception {
    if (t instanceof ParameterizedType p) {
      Class<?> raw = (Class<?>) p.getRawType();
      Type[] a = p.getActualTypeArguments();
      if (List.class.isAssignableFrom(raw)) {
        return List.of(value(a[0], name, variant));
      }
      if (Map.class.isAssignableFrom(raw)) {
        return Map.of(value(a[0], name, variant), value(a[1], name, variant));
      }
      throw new AssertionError("no generated value for " + t);
    }
    Class<?> c = (Class<?>) t;
    if (c == String.class || c == Object.class) {
      return name + "-" + variant;
    }
    if (c == int.class || c == Integer.class) {
      return 7 + variant;
    }
    if (c == long.class || c == Long.class) {
      return 7_000L + variant;
    }
    if (c == double.class || c == Double.class) {
      return 0.25 + variant;
    }
    if (c == boolean.class || c == Boolean.class) {
      return variant % 2 == 0;
    }
    if (c == Duration.class) {
      return Duration.ofSeconds(7 + variant);
    }
    if (c == Instant.class) {
      return Instant.ofEpochSecond(7 + variant);
    }
    if (c.isEnum()) {
      Object[] constants = c.getEnumConstants();
      return constants[
          (constants.length - 1 - variant % constants.length + constants.length)
              % constants.length];
    }
    if (c.isRecord()) {
      return build(c, variant);
    }
    if (c == Approvers.class) {
      return new Approvers(Map.of("default", List.of(name + "-" + variant)));
    }
    throw new AssertionError("no generated value for " + c.getName() + " (" + name + ")");
  }
}
