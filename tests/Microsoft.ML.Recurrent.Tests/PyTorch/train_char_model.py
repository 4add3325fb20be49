"""Trains a small character model in PyTorch, exports it with torch.onnx.export, and writes what the C# parity test
compares against: the vocabulary (the model's token i is vocabulary[i]) and torch's next-character probabilities
after each prompt.

usage: train_char_model.py TEXT_FILE OUT_DIR --cell lstm|gru|rnn --layers N --input onehot|embedding
                           [--batch-first] [--bidirectional] [--flatten] [--log-softmax] [--steps N]

Writes OUT_DIR/model.onnx and OUT_DIR/expected.json. Deterministic: fixed seeds, one thread.
"""
import argparse
import collections
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

PROMPTS = ["ROMEO:\nWhat ", "First Citizen:\nWe are", "the king", "\n"]


class CharModel(nn.Module):
    """one-hot or nn.Embedding -> nn.LSTM / nn.GRU / nn.RNN -> nn.Linear to vocabulary logits."""

    def __init__(self, vocab, cell, layers, hidden, embedding, batch_first, bidirectional, flatten, log_softmax):
        super().__init__()
        self.vocab, self.batch_first, self.flatten, self.log_softmax = vocab, batch_first, flatten, log_softmax
        self.embedding = nn.Embedding(vocab, embedding) if embedding else None
        inputs = embedding or vocab
        rnn = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        self.rnn = rnn(inputs, hidden, num_layers=layers, batch_first=batch_first, bidirectional=bidirectional)
        self.output = nn.Linear(hidden * (2 if bidirectional else 1), vocab)

    def forward(self, ids):  # ids [batch, seq] if batch_first else [seq, batch]
        x = self.embedding(ids) if self.embedding is not None else F.one_hot(ids, self.vocab).float()
        y, _ = self.rnn(x)
        if self.flatten:  # the rows in y's order, [steps * batch, hidden]: nn.Linear on 2-D exports as Gemm
            y = y.reshape(-1, y.shape[-1])
        logits = self.output(y)
        return F.log_softmax(logits, dim=-1) if self.log_softmax else logits


def main():
    p = argparse.ArgumentParser()
    p.add_argument("text")
    p.add_argument("out")
    p.add_argument("--cell", default="lstm", choices=["lstm", "gru", "rnn"])
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--input", default="onehot", choices=["onehot", "embedding"])
    p.add_argument("--batch-first", action="store_true")
    p.add_argument("--bidirectional", action="store_true")
    p.add_argument("--flatten", action="store_true")
    p.add_argument("--log-softmax", action="store_true")
    p.add_argument("--steps", type=int, default=150)
    p.add_argument("--characters", type=int, default=50000)
    a = p.parse_args()

    torch.manual_seed(1234)
    torch.set_num_threads(1)
    with open(a.text, encoding="utf-8") as f:
        text = f.read()[: a.characters]
    # Most frequent first (ties by code point): deliberately not sorted, so the importer's reordering is exercised.
    counts = collections.Counter(text)
    vocab = sorted(counts, key=lambda c: (-counts[c], c))
    index = {c: i for i, c in enumerate(vocab)}
    data = torch.tensor([index[c] for c in text], dtype=torch.long)

    model = CharModel(len(vocab), a.cell, a.layers, hidden=48, embedding=24 if a.input == "embedding" else 0,
                      batch_first=a.batch_first, bidirectional=a.bidirectional,
                      flatten=a.flatten, log_softmax=a.log_softmax)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    seq, batch = 32, 16
    for step in range(a.steps):
        starts = torch.randint(0, len(data) - seq - 1, (batch,))
        x = torch.stack([data[s:s + seq] for s in starts])       # [batch, seq]
        y = torch.stack([data[s + 1:s + seq + 1] for s in starts])
        logits = model(x if a.batch_first else x.t())
        targets = y if a.batch_first else y.t()  # in the output's order
        loss = F.cross_entropy(logits.reshape(-1, len(vocab)), targets.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()

    os.makedirs(a.out, exist_ok=True)
    example = torch.zeros((1, 8) if a.batch_first else (8, 1), dtype=torch.long)
    seq_axis = 1 if a.batch_first else 0
    torch.onnx.export(model, (example,), os.path.join(a.out, "model.onnx"), opset_version=14,
                      input_names=["ids"], output_names=["logits"],
                      dynamic_axes={"ids": {seq_axis: "sequence"}, "logits": {seq_axis: "sequence"}})

    expected = []
    with torch.no_grad():
        for prompt in PROMPTS:
            ids = torch.tensor([index[c] for c in prompt], dtype=torch.long)
            ids = ids.unsqueeze(0) if a.batch_first else ids.unsqueeze(1)
            logits = model(ids)
            last = logits.reshape(-1, len(vocab))[-1]  # batch 1: the last row is the last step
            expected.append({"prompt": prompt, "probabilities": F.softmax(last.double(), dim=-1).tolist()})
    with open(os.path.join(a.out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump({"vocabulary": vocab, "loss": loss.item(), "expected": expected}, f)


if __name__ == "__main__":
    main()
