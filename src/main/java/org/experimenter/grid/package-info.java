/** The pure model of a grid: parameters and their lazy cartesian product. No I/O. Private API. */
package org.experimenter.grid;
