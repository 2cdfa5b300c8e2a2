package io.migrationstudio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.schema.TableInfo;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The wide models of {@code migration-core} that many callers build have one public constructor,
 * the canonical one (as {@code RecordCopiesTest} holds for the wide spec records of {@code
 * contracts}): a shorter "compatibility" constructor fills the components it does not take with
 * defaults, so a caller or a copy going through it silently drops them when a component is added.
 */
class WideRecordConstructorsTest {

  /** The guarded records. */
  static final List<Class<?>> WIDE = List.of(TableInfo.class, ColumnMapping.class);

  @Test
  void theWideRecordsHaveOnlyTheirCanonicalConstructor() {
    List<String> shorter = new ArrayList<>();
    for (Class<?> type : WIDE) {
      Class<?>[] canonical =
          Stream.of(type.getRecordComponents()).map(RecordComponent::getType).toArray(Class[]::new);
      for (Constructor<?> k : type.getDeclaredConstructors()) {
        if (Modifier.isPublic(k.getModifiers())
            && !Arrays.equals(k.getParameterTypes(), canonical)) {
          shorter.add(type.getSimpleName() + ": " + k);
        }
      }
    }
    assertEquals(
        List.of(),
        shorter,
        "a shorter public constructor silently drops components: call the canonical one with every"
            + " component (or copy through a private Copy builder, as CutoverOptions does)");
  }
}
