"""Training recipes for shopbot's own small transformer models (tokenizer, MLM pre-training,
intent classifier, sentence encoder) and their ONNX export. Run through models/recipes/train.py."""
