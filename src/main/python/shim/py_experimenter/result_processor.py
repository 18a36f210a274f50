"""``ResultProcessor`` as an experiment function sees it: the tool's, from its helper module."""
from experimenter import ResultProcessor

__all__ = ["ResultProcessor"]
