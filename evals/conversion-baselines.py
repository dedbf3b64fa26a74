"""Peers for `shopbot eval conversion` and `shopbot eval acceptance`: XGBoost and logistic regression
on the very split files the TypeScript learners use.

Usage: python3 conversion-baselines.py TRAIN.csv VALID.csv REPORT.csv SEED DATASET
DATASET: shoppers (UCI online shoppers, label Revenue) | coupon (UCI in-vehicle coupon, label Y).
XGBoost's depth and its number of rounds (early stopping) are chosen on VALID only; logistic
regression's C too. Then each is refitted on TRAIN + VALID with those choices (the rounds scaled by
the rows added), as the TypeScript trees are (trainGbdtRefit), so every system learns from the same
rows. The coupon data gets the same derived column as the TypeScript reader (the frequency answer
for the coupon's own kind of place). Prints one JSON object: {"system": [P(y=1) for each REPORT row, in order]}.
"""
import csv
import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.preprocessing import OneHotEncoder, StandardScaler
import xgboost as xgb

FREQUENCY = {"never": 0, "less1": 1, "1~3": 2, "4~8": 3, "gt8": 4}
VENUE = {"Restaurant(<20)": "RestaurantLessThan20", "Coffee House": "CoffeeHouse", "Carry out & Take away": "CarryAway",
         "Bar": "Bar", "Restaurant(20-50)": "Restaurant20To50"}


def venue_frequency(r):
    coupon = r.get("couponType") or r.get("coupon") or ""
    return float(FREQUENCY.get(r.get(VENUE.get(coupon, ""), ""), np.nan))


DATASETS = {
    "shoppers": {
        "label": lambda r: 1 if r["Revenue"].upper() == "TRUE" else 0,
        "numeric": ["Administrative", "Administrative_Duration", "Informational", "Informational_Duration",
                    "ProductRelated", "ProductRelated_Duration", "BounceRates", "ExitRates", "PageValues", "SpecialDay"],
        "categorical": ["Month", "OperatingSystems", "Browser", "Region", "TrafficType", "VisitorType", "Weekend"],
    },
    # The usual treatment of this survey: the few true numbers as numbers, every other answer one-hot.
    "coupon": {
        "label": lambda r: 1 if r["Y"] == "1" else 0,
        "derived": [venue_frequency],
        "numeric": ["temperature", "has_children", "toCoupon_GEQ5min", "toCoupon_GEQ15min", "toCoupon_GEQ25min",
                    "direction_same", "direction_opp"],
        "categorical": ["destination", "passanger", "weather", "time", "couponType", "expiration", "gender", "age",
                        "maritalStatus", "education", "occupation", "income", "cartype", "Bar", "CoffeeHouse",
                        "CarryAway", "RestaurantLessThan20", "Restaurant20To50"],
    },
}


def number(v):
    try:
        x = float(v)
    except ValueError:
        return np.nan
    return x if np.isfinite(x) and x >= 0 else np.nan


def read(path, spec):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    derived = spec.get("derived", [])
    num = np.array([[number(r.get(c, "")) for c in spec["numeric"]] + [d(r) for d in derived] for r in rows], dtype=float)
    cat = np.array([[r.get(c, "") or "missing" for c in spec["categorical"]] for r in rows])
    y = np.array([spec["label"](r) for r in rows])
    return num, cat, y


def main():
    train_path, valid_path, report_path, seed, dataset = sys.argv[1:6]
    seed = int(seed)
    spec = DATASETS[dataset]
    xn, xc, y = read(train_path, spec)
    vn, vc, vy = read(valid_path, spec)
    tn, tc, _ = read(report_path, spec)
    enc = OneHotEncoder(handle_unknown="ignore").fit(xc)
    fill = np.nan_to_num
    scaler = StandardScaler().fit(np.log1p(fill(xn)))

    def linear(n, c):
        return np.hstack([scaler.transform(np.log1p(fill(n))), enc.transform(c).toarray()])

    def trees(n, c):
        return np.hstack([n, enc.transform(c).toarray()])

    out = {}
    best = None
    for C in (0.1, 0.3, 1.0, 3.0):
        lr = LogisticRegression(max_iter=3000, C=C).fit(linear(xn, xc), y)
        loss = log_loss(vy, lr.predict_proba(linear(vn, vc))[:, 1])
        if best is None or loss < best[0]:
            best = (loss, lr)
    an, ac, ay = np.vstack([xn, vn]), np.vstack([xc, vc]), np.concatenate([y, vy])
    lr = LogisticRegression(max_iter=3000, C=best[1].C).fit(linear(an, ac), ay)
    out["logistic regression (sklearn)"] = lr.predict_proba(linear(tn, tc))[:, 1].tolist()

    best = None
    for depth in (3, 4, 6, 8):
        model = xgb.XGBClassifier(n_estimators=3000, max_depth=depth, learning_rate=0.03, subsample=0.8,
                                  colsample_bytree=0.8, random_state=seed, n_jobs=1, eval_metric="logloss",
                                  early_stopping_rounds=100)
        model.fit(trees(xn, xc), y, eval_set=[(trees(vn, vc), vy)], verbose=False)
        loss = model.best_score
        if best is None or loss < best[0]:
            best = (loss, model)
    chosen = best[1]
    rounds = max(1, round((chosen.best_iteration + 1) * len(ay) / len(y)))
    model = xgb.XGBClassifier(n_estimators=rounds, max_depth=chosen.max_depth, learning_rate=0.03, subsample=0.8,
                              colsample_bytree=0.8, random_state=seed, n_jobs=1, eval_metric="logloss")
    model.fit(trees(an, ac), ay, verbose=False)
    out["xgboost"] = model.predict_proba(trees(tn, tc))[:, 1].tolist()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
