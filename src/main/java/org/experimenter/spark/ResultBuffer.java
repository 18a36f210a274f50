package org.experimenter.spark;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.experimenter.ExperimenterException;
import org.experimenter.FieldType;
import org.experimenter.ResultWriter;

/** Checks each result against the declared result fields and keeps it until the row is written. */
final class ResultBuffer implements ResultWriter {
  private final Map<String, FieldType> declared;
  private final Map<String, Object> values = new LinkedHashMap<>();

  ResultBuffer(Map<String, FieldType> declared) {
    this.declared = declared;
  }

  @Override
  public synchronized ResultWriter put(String field, Object value) {
    FieldType type = declared.get(field);
    if (type == null) {
      throw new ExperimenterException(
          "result field '" + field + "' is not declared in resultfields; declared: " + declared.keySet());
    }
    try {
      values.put(field, type.coerce(value));
    } catch (IllegalArgumentException e) {
      throw new ExperimenterException("result field '" + field + "': " + e.getMessage(), e);
    }
    return this;
  }

  synchronized Map<String, Object> snapshot() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }
}
