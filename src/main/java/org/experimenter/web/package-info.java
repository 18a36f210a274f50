/**
 * The web view behind {@code experimenter serve}: a small HTTP server (the JDK's own) over the
 * experiment table, with a JSON API and one page of plain JavaScript served from the jar.
 *
 * <p>Private API. No compatibility guarantees provided.
 */
package org.experimenter.web;
