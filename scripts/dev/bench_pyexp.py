# The two functions of scripts/dev/bench-pyexp, and the PyExperimenter side of it. This tool
# imports the file as a module (function = "scripts/dev/bench_pyexp.py:trivial" or ":svc");
# run as a script it is PyExperimenter's driver (PyExperimenter and its packages on PYTHONPATH):
#   N_JOBS=2 python3 bench_pyexp.py trivial|svc fill|run|fill+run [rows]   (in a folder of its own)


def trivial(parameters, result_processor, custom_config):
    """Returns at once: one result field."""
    result_processor.process_results({"x": parameters["i"]})


def svc(parameters, result_processor, custom_config):
    """PyExperimenter's general-usage run_ml (SVC on iris, 5-fold cross-validation) with C as keyfield c."""
    import random

    import numpy as np
    from sklearn.datasets import load_iris
    from sklearn.model_selection import cross_validate
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    seed = parameters["seed"]
    random.seed(seed)
    np.random.seed(seed)
    data = load_iris()
    model = make_pipeline(StandardScaler(), SVC(kernel=parameters["kernel"], C=parameters["c"], gamma="auto"))
    result_processor.process_results({"pipeline": str(model)})
    scores = cross_validate(model, data.data, data.target, cv=5, scoring=("accuracy", "f1_micro"), return_train_score=True)
    result_processor.process_results(
        {"train_f1": np.mean(scores["train_f1_micro"]), "train_accuracy": np.mean(scores["train_accuracy"])}
    )
    result_processor.process_results(
        {"test_f1": np.mean(scores["test_f1_micro"]), "test_accuracy": np.mean(scores["test_accuracy"])}
    )


TRIVIAL = """
PY_EXPERIMENTER:
  n_jobs: N_JOBS
  Database:
    provider: sqlite
    database: py_experimenter
    table:
      name: bench
      keyfields:
        i:
          type: INT
          values:
            start: 0
            stop: ROWS
      result_timestamps: False
      resultfields:
        x: INT
"""

SVC_GRID = """
PY_EXPERIMENTER:
  n_jobs: N_JOBS
  Database:
    provider: sqlite
    database: py_experimenter
    table:
      name: bench
      keyfields:
        kernel:
          type: VARCHAR(255)
          values: ['linear', 'poly', 'rbf', 'sigmoid']
        c:
          type: DOUBLE
          values: [0.25, 0.5, 1.0, 2.0, 4.0]
        seed:
          type: INT
          values:
            start: 0
            stop: ROWS
      result_timestamps: False
      resultfields:
        pipeline: LONGTEXT
        train_f1: DECIMAL
        train_accuracy: DECIMAL
        test_f1: DECIMAL
        test_accuracy: DECIMAL
"""

if __name__ == "__main__":
    import os
    import sys

    which, step = sys.argv[1], sys.argv[2]
    rows = sys.argv[3] if len(sys.argv) > 3 else "2000"
    text = (TRIVIAL if which == "trivial" else SVC_GRID).replace("N_JOBS", os.environ.get("N_JOBS", "1"))
    os.makedirs("config", exist_ok=True)
    path = os.path.join("config", "bench.yml")
    with open(path, "w") as f:
        f.write(text.replace("ROWS", rows))
    from py_experimenter.experimenter import PyExperimenter

    experimenter = PyExperimenter(experiment_configuration_file_path=path, name="bench", use_codecarbon=False)
    if step in ("fill", "fill+run"):
        experimenter.fill_table_from_config()
    if step in ("run", "fill+run"):
        experimenter.execute(trivial if which == "trivial" else svc, max_experiments=-1)
