"""The models, all offline: the dense encoders, the ONNX MiniLM, our reader, and the lexical BM25 side."""
