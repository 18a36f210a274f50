/**
 * Results over seeds with Spark SQL: statistics, pivots, formats, plots and exports, the
 * {@code --where} rule applied as Spark columns ({@code WhereColumn}). Private API. No
 * compatibility guarantees provided; the commands' output formats (README) are the contract.
 */
package org.experimenter.eval;
