"""A stand-in for PyExperimenter's package, shipped with spark-experimenter.

The tool's Python worker puts this folder at the end of sys.path, after site-packages, so that a
function written for PyExperimenter imports unchanged (``from py_experimenter.result_processor
import ResultProcessor``, ``from py_experimenter.experiment_status import ExperimentStatus``)
whether or not PyExperimenter is installed; where it is, its own package is imported instead.
Only the two names an experiment function uses are here.
"""
