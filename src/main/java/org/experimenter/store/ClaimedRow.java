package org.experimenter.store;

import java.io.Serializable;

/** A row a worker holds: its id and keyfield values in keyfield order. */
public final class ClaimedRow implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long id;
  private final Object[] keys;
  private final String experimentClass;

  public ClaimedRow(long id, Object[] keys) {
    this(id, keys, null);
  }

  public ClaimedRow(long id, Object[] keys, String experimentClass) {
    this.id = id;
    this.keys = keys;
    this.experimentClass = experimentClass;
  }

  /** The experiment class this row runs with instead of the configured one (set by unpause), or null. */
  public String experimentClass() {
    return experimentClass;
  }

  public long id() {
    return id;
  }

  public Object[] keys() {
    return keys;
  }
}
