"""Peers for `shopbot eval conversion`: XGBoost and logistic regression on the same split files.

Usage: python3 conversion-baselines.py TRAIN.csv TEST.csv SEED
Prints one JSON object: {"xgboost": {"auc": .., "logLoss": ..}, "logistic regression": {...}}.
Reads the UCI online shoppers CSV as published (header, Month names, TRUE/FALSE booleans).
"""
import csv
import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.preprocessing import OneHotEncoder, StandardScaler
import xgboost as xgb

NUMERIC = ["Administrative", "Administrative_Duration", "Informational", "Informational_Duration", "ProductRelated",
           "ProductRelated_Duration", "BounceRates", "ExitRates", "PageValues", "SpecialDay"]
CATEGORICAL = ["Month", "OperatingSystems", "Browser", "Region", "TrafficType", "VisitorType", "Weekend"]


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    num = np.array([[float(r[c]) if r[c] not in ("", "NA") else 0.0 for c in NUMERIC] for r in rows])
    cat = np.array([[r[c] for c in CATEGORICAL] for r in rows])
    y = np.array([1 if r["Revenue"].upper() == "TRUE" else 0 for r in rows])
    return num, cat, y


def main():
    train_path, test_path, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    xn, xc, y = read(train_path)
    tn, tc, ty = read(test_path)
    enc = OneHotEncoder(handle_unknown="ignore").fit(xc)
    scaler = StandardScaler().fit(np.log1p(np.maximum(xn, 0)))
    def design(n, c):
        return np.hstack([scaler.transform(np.log1p(np.maximum(n, 0))), enc.transform(c).toarray()])
    out = {}
    lr = LogisticRegression(max_iter=2000, C=1.0).fit(design(xn, xc), y)
    p = lr.predict_proba(design(tn, tc))[:, 1]
    out["logistic regression (sklearn)"] = {"auc": roc_auc_score(ty, p), "logLoss": log_loss(ty, p)}
    model = xgb.XGBClassifier(n_estimators=300, max_depth=4, learning_rate=0.05, subsample=0.9, colsample_bytree=0.9,
                              random_state=seed, n_jobs=1, eval_metric="logloss")
    model.fit(np.hstack([xn, enc.transform(xc).toarray()]), y)
    p = model.predict_proba(np.hstack([tn, enc.transform(tc).toarray()]))[:, 1]
    out["xgboost"] = {"auc": roc_auc_score(ty, p), "logLoss": log_loss(ty, p)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
