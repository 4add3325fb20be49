"""Trains a small word-level sentence classifier in PyTorch on rt-polarity, exports it with torch.onnx.export, and
writes what the C# parity test compares against: the tokens (id i is tokens[i - 1]; id 0 is the unknown word and the
padding), the classes, and torch's class probabilities for held-out sentences.

usage: train_classifier.py DATA_DIR OUT_DIR --cell lstm|gru --layers N --logits 1|2 [--batch-first] [--bidirectional]
                           [--steps N]

Model: nn.Embedding(K + 1, e, padding_idx=0) -> nn.LSTM / nn.GRU -> h_n[-1] (the last layer's final state) ->
nn.Linear to one logit (log-odds of positive) or two logits (negative, positive).
Writes OUT_DIR/model.onnx and OUT_DIR/expected.json. Deterministic: fixed seeds, one thread.
"""
import argparse
import collections
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence


class Classifier(nn.Module):
    def __init__(self, vocab, cell, layers, logits, batch_first, bidirectional, embedding=32, hidden=32):
        super().__init__()
        self.batch_first = batch_first
        self.embedding = nn.Embedding(vocab, embedding, padding_idx=0)
        rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.rnn = rnn(embedding, hidden, num_layers=layers, batch_first=batch_first, bidirectional=bidirectional)
        self.output = nn.Linear(hidden, logits)

    def forward(self, ids, lengths=None):  # ids [batch, seq] if batch_first else [seq, batch]
        x = self.embedding(ids)
        if lengths is not None:  # training: packed, so padding does not reach the final state
            x = pack_padded_sequence(x, lengths, batch_first=self.batch_first, enforce_sorted=False)
        _, state = self.rnn(x)
        h = state[0] if isinstance(state, tuple) else state
        return self.output(h[-1])


def words(line):
    return [w for w in line.strip().split(" ") if w]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("out")
    p.add_argument("--cell", default="lstm", choices=["lstm", "gru"])
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--logits", type=int, default=1, choices=[1, 2])
    p.add_argument("--batch-first", action="store_true")
    p.add_argument("--bidirectional", action="store_true")  # the import refuses it
    p.add_argument("--steps", type=int, default=120)  # batches of 32; a few seconds on one thread
    p.add_argument("--vocabulary", type=int, default=2000)
    a = p.parse_args()

    torch.manual_seed(1234)
    torch.set_num_threads(1)
    rows = []
    for name, label in (("rt-polarity.neg", 0), ("rt-polarity.pos", 1)):
        with open(os.path.join(a.data, name), encoding="latin-1") as f:
            rows += [(line.strip(), label) for line in f if words(line)]
    order = torch.randperm(len(rows), generator=torch.Generator().manual_seed(7)).tolist()
    rows = [rows[i] for i in order]
    test, train = rows[:50], rows[50:4050]
    counts = collections.Counter(w for text, _ in train for w in words(text))
    tokens = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: a.vocabulary]]
    index = {w: i + 1 for i, w in enumerate(tokens)}  # 0: unknown / padding

    def ids(text):
        return [index.get(w, 0) for w in words(text)]

    model = Classifier(len(tokens) + 1, a.cell, a.layers, a.logits, a.batch_first, a.bidirectional)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.005)
    batch = 32
    for step in range(a.steps):
        chosen = [train[i] for i in torch.randint(0, len(train), (batch,)).tolist()]
        seqs = [ids(t) for t, _ in chosen]
        lengths = torch.tensor([len(s) for s in seqs])
        x = torch.zeros((batch, int(lengths.max())), dtype=torch.long)
        for b, s in enumerate(seqs):
            x[b, : len(s)] = torch.tensor(s)
        y = torch.tensor([l for _, l in chosen])
        out = model(x if a.batch_first else x.t(), lengths)
        loss = F.binary_cross_entropy_with_logits(out[:, 0], y.float()) if a.logits == 1 else F.cross_entropy(out, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()

    os.makedirs(a.out, exist_ok=True)
    example = torch.ones((1, 5) if a.batch_first else (5, 1), dtype=torch.long)
    seq_axis = 1 if a.batch_first else 0
    torch.onnx.export(model, (example,), os.path.join(a.out, "model.onnx"), opset_version=14,
                      input_names=["ids"], output_names=["logits"], dynamic_axes={"ids": {seq_axis: "sequence"}})

    expected, correct = [], 0
    with torch.no_grad():
        for text, label in test:
            s = torch.tensor(ids(text), dtype=torch.long)
            out = model(s.unsqueeze(0) if a.batch_first else s.unsqueeze(1))[0].double()
            probabilities = [1 - torch.sigmoid(out[0]).item(), torch.sigmoid(out[0]).item()] if a.logits == 1 \
                else F.softmax(out, dim=-1).tolist()
            correct += int((probabilities[1] > 0.5) == (label == 1))
            expected.append({"text": text, "label": label, "probabilities": probabilities})
    with open(os.path.join(a.out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump({"tokens": tokens, "classes": ["negative", "positive"], "steps": a.steps, "loss": loss.item(),
                   "accuracy": correct / len(test), "expected": expected}, f)


if __name__ == "__main__":
    main()
