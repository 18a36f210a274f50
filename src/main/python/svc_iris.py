"""PyExperimenter's general-usage example as a command experiment: a scikit-learn SVC (with
feature scaling) cross-validated on iris, one row per kernel and seed (conf/svc-iris.conf).

Run by the tool:  scripts/example-python
Run by hand:      python3 src/main/python/svc_iris.py --kernel linear --seed 4
"""
import random

import numpy as np
from sklearn.datasets import load_iris
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import experimenter

p = experimenter.params(dataset="iris", cross_validation_splits=5, seed=2, kernel="rbf")
random.seed(p["seed"])
np.random.seed(p["seed"])

if p["dataset"] != "iris":
    raise ValueError("only iris ships with scikit-learn, not %r" % p["dataset"])
data = load_iris()

model = make_pipeline(StandardScaler(), SVC(kernel=p["kernel"], gamma="auto"))
experimenter.result(pipeline=str(model))

# the seed shuffles the folds, so that seeds differ
folds = StratifiedKFold(n_splits=p["cross_validation_splits"], shuffle=True, random_state=p["seed"])
scores = cross_validate(model, data.data, data.target, cv=folds,
                        scoring=("accuracy", "f1_micro"), return_train_score=True)
experimenter.result(
    train_f1=scores["train_f1_micro"].mean(),
    train_accuracy=scores["train_accuracy"].mean(),
    test_f1=scores["test_f1_micro"].mean(),
    test_accuracy=scores["test_accuracy"].mean(),
)
