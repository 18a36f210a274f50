package org.experimenter.store;

import java.io.Serializable;

/** A row a worker holds: its id and keyfield values in keyfield order. */
public final class ClaimedRow implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long id;
  private final Object[] keys;

  public ClaimedRow(long id, Object[] keys) {
    this.id = id;
    this.keys = keys;
  }

  public long id() {
    return id;
  }

  public Object[] keys() {
    return keys;
  }
}
