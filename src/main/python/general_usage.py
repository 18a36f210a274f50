"""PyExperimenter's general-usage example as a Python function experiment: for each row, an SVC
with feature scaling, cross-validated on iris (conf/general-usage.conf, scripts/example-python).

The function has PyExperimenter's signature and is written against its documented API, so the
same file runs under PyExperimenter (``PyExperimenter(...).execute(run_ml)``) and here, where the
tool's workers import it once and call it for each row.
"""
import random

import numpy as np
from py_experimenter.result_processor import ResultProcessor
from sklearn.datasets import load_iris
from sklearn.model_selection import cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC


def run_ml(parameters: dict, result_processor: ResultProcessor, custom_config: dict):
    random.seed(parameters["seed"])
    np.random.seed(parameters["seed"])
    iris = load_iris()  # custom_config["datapath"] would name a folder of data files to read instead

    pipeline = make_pipeline(StandardScaler(), SVC(kernel=parameters["kernel"], gamma="auto"))
    result_processor.process_results({"pipeline": str(pipeline)})

    if parameters["dataset"] != "iris":
        # the example's extra row asks for a dataset there is none of: it ends as error
        raise ValueError("Example error")

    # plain k-fold splits (no shuffling), so every seed of a kernel scores the same
    scores = cross_validate(pipeline, iris.data, iris.target, cv=parameters["cross_validation_splits"],
                            scoring=("accuracy", "f1_micro"), return_train_score=True)
    result_processor.process_results({
        "train_f1": np.mean(scores["train_f1_micro"]),
        "train_accuracy": np.mean(scores["train_accuracy"]),
    })
    result_processor.process_results({
        "test_f1": np.mean(scores["test_f1_micro"]),
        "test_accuracy": np.mean(scores["test_accuracy"]),
    })
