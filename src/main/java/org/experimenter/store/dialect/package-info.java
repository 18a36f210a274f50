/**
 * Everything that differs between databases: an ANSI default and one small class per database,
 * each overriding only what differs, returning whole statements where the statement differs.
 * Private API. No compatibility guarantees provided.
 */
package org.experimenter.store.dialect;
