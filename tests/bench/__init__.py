"""The benchmarks' own tools: the batch signer and the history generator."""
