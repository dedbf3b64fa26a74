#!/usr/bin/env bash
# GPU check for the model recipes (a few minutes on one modern GPU; NOT part of CI, nothing depends
# on it). Trains every recipe with CUDA torch at the larger "base" size, then measures what was
# trained: intent dev figures and the training summary (speed, parameters, sizes), the embedding
# model on the ESCI dev queries, and ONNX inference speed on CPU (and on CUDA when the
# onnxruntime-node CUDA 12 provider is installed: see models/README.md).
#
#   bash bench/gpu/run.sh [OUT_DIR]      # default: bench/results/gpu
#
# Needs: a torch build with CUDA (`python3 -c "import torch; print(torch.cuda.is_available())"`),
# python3-onnx, Node 20 with `npm ci` done. Results: OUT_DIR/*.json and OUT_DIR/run.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${1:-bench/results/gpu}"
PY="${PYTHON:-python3}"
mkdir -p "$OUT"
exec > >(tee "$OUT/run.log") 2>&1
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
"$PY" -c 'import torch,sys; print("torch", torch.__version__, "cuda", torch.cuda.is_available()); sys.exit(0 if torch.cuda.is_available() else 1)'
start=$(date +%s)
"$PY" models/recipes/train.py all --size base --device cuda --threads "$(nproc)" --out "$OUT/models"
echo "train_seconds_total $(( $(date +%s) - start ))"
cp "$OUT/models/training-summary.json" "$OUT/training-summary.json"
node bin/shopbot.js eval intent-model --models "$OUT/models" --json "$OUT/intent-model.json" || true
node bin/shopbot.js eval dense-retrieval --models "$OUT/models" --queries evals/data/esci/esci_us_queryset_dev.json \
  --judgments evals/data/esci/esci_us_judgments_dev.json --json "$OUT/dense-retrieval.json" || true
node bin/shopbot.js bench models --models "$OUT/models" --threads "$(nproc)" --json "$OUT/bench-models-cpu.json" || true
echo "results in $OUT"
