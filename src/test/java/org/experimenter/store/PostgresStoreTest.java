package org.experimenter.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.experimenter.StoreException;
import org.experimenter.config.ExperimentConfig;
import org.experimenter.testing.TestDb;
import org.junit.jupiter.api.Test;

class PostgresStoreTest extends StoreContractTest {
  @Override
  TestDb db() {
    return TestDb.POSTGRES;
  }

  @Test
  void anUnreachableDatabaseIsNamedWithoutItsPassword() {
    ExperimentConfig bad =
        config.withOverrides(
            Map.of(
                "database.url", "jdbc:postgresql://127.0.0.1:1/test?password=hunter2secret",
                "database.password", "hunter2secret"));
    StoreException e = assertThrows(StoreException.class, () -> new ExperimentStore(bad).connect());
    assertTrue(e.getMessage().startsWith("cannot connect to jdbc:postgresql://127.0.0.1:1/test?password=***"), e.getMessage());
    assertFalse(e.getMessage().contains("hunter2secret"), e.getMessage());
    assertFalse(String.valueOf(e.getCause()).contains("hunter2secret"));
  }
}
