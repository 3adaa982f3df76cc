"""Full-shuffle references for the convergence benchmark: scikit-learn's SGDClassifier (shuffles every epoch) and
LogisticRegression (the optimum of the regularised log-loss) on the rows exported from PostgreSQL.

usage: sklearn_reference.py TRAIN TEST EPOCHS SEED   (files: "label v1 v2 ..." dense or "label i:v ..." sparse)
prints one JSON object: {"sgd": accuracy, "logreg": accuracy}
"""
import json
import sys

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.preprocessing import StandardScaler


def read(path):
    labels, rows, sparse = [], [], False
    with open(path) as f:
        for line in f:
            parts = line.split()
            labels.append(float(parts[0]))
            if len(parts) > 1 and ":" in parts[1]:
                sparse = True
                rows.append([(int(p.split(":")[0]), float(p.split(":")[1])) for p in parts[1:]])
            else:
                rows.append([float(v) for v in parts[1:]])
    return np.array(labels), rows, sparse


def matrix(rows, sparse, dim):
    if not sparse:
        return np.array(rows)
    data, idx, ptr = [], [], [0]
    for r in rows:
        for i, v in r:
            idx.append(i)
            data.append(v)
        ptr.append(len(idx))
    return csr_matrix((data, idx, ptr), shape=(len(rows), dim))


def main():
    train, test, epochs, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    ytr, rtr, sparse = read(train)
    yte, rte, _ = read(test)
    dim = 1 + max((i for r in rtr + rte for i, _ in r), default=0) if sparse else None
    xtr, xte = matrix(rtr, sparse, dim), matrix(rte, sparse, dim)
    if not sparse:
        scaler = StandardScaler().fit(xtr)
        xtr, xte = scaler.transform(xtr), scaler.transform(xte)
    sgd = SGDClassifier(loss="log_loss", max_iter=epochs, tol=None, shuffle=True, random_state=seed)
    sgd.fit(xtr, ytr)
    lr = LogisticRegression(max_iter=300)
    lr.fit(xtr, ytr)
    print(json.dumps({"sgd": float(sgd.score(xte, yte)), "logreg": float(lr.score(xte, yte))}))


if __name__ == "__main__":
    import warnings
    warnings.filterwarnings("ignore")
    main()
