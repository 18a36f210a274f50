/**
 * Python function experiments: {@code experiment { python { function = "svc.py:run_ml" } }}.
 * Long-lived worker processes, one per concurrently running row of a JVM, import the function
 * once and call it once per row as PyExperimenter does. Private API. No compatibility
 * guarantees provided.
 */
package org.experimenter.python;
