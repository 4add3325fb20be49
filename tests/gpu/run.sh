#!/usr/bin/env bash
# Device check for a CUDA machine (not run by CI, which has no GPU): builds the benchmark program against ONNX
# Runtime's GPU package (-p:OnnxRuntimeGpu=true restores Microsoft.ML.OnnxRuntime.Gpu.Linux, 539 MB, so it needs
# NuGet or a warm package cache) and runs `--mode onnx` on the CPU, then on CUDA device ${GPU:-0} with no CPU
# fallback: greedy generation of 1,000 characters with a 2x128 LSTM must be identical to our engine's and the
# next-character probabilities within 1e-4; the RESULT lines give both latencies. Needs CUDA 13 and cuDNN 9.
# Exits non-zero when CUDA cannot be used or parity fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
data="$root/../shared/data/tinyshakespeare.txt"
[ -f "$data" ] || data="$root/README.md" # any UTF-8 text gives the vocabulary and the prompt

dotnet build "$root/benchmarks/Microsoft.ML.Recurrent.Benchmarks" -c Release -p:OnnxRuntimeGpu=true -o "$out" -v quiet -nologo
run() { dotnet "$out/Microsoft.ML.Recurrent.Benchmarks.dll" --mode onnx --data "$data" --cell lstm --layers 2 --hidden 128 --nchars 1000 --iters 50 --threads 1 "$@"; }
run
run --gpu "${GPU:-0}"
