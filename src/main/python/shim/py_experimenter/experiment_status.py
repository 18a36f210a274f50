"""The statuses of PyExperimenter's documented ``ExperimentStatus``; a function returns PAUSED to
end its row as paused."""
from enum import Enum


class ExperimentStatus(Enum):
    CREATED = "created"
    RUNNING = "running"
    DONE = "done"
    ERROR = "error"
    ALL = "all"
    PAUSED = "paused"
