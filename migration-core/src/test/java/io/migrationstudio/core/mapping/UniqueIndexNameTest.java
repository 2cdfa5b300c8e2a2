package io.migrationstudio.core.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UniqueIndexNameTest {
  @Test
  void aNameTakenInTheSchemaIsPrefixedWithItsTableThenNumbered() {
    Set<String> taken = new HashSet<>();
    assertEquals(
        "idx_fk_address_id", MappingGenerator.uniqueIndexName(taken, "staff", "idx_fk_address_id"));
    assertEquals(
        "customer_idx_fk_address_id",
        MappingGenerator.uniqueIndexName(taken, "customer", "idx_fk_address_id"));
    assertEquals("other", MappingGenerator.uniqueIndexName(taken, "customer", "other"));
    taken.add("store_idx_fk_address_id");
    assertEquals(
        "store_idx_fk_address_id_2",
        MappingGenerator.uniqueIndexName(taken, "store", "idx_fk_address_id"));
  }
}
