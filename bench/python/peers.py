"""What a Python user would run on the matrices `npm run bench -- similarity` exports (bench/out/peer/).

  python peers.py cosine DIR   scikit-learn: normalize, sparse X @ X.T in row blocks, top-k (ties by row order)
  python peers.py als DIR      implicit: CPU ALS with conjugate gradient, same factors/regularization/iterations

Each run prints one JSON line: seconds (work only, after loading), peak RSS of the process, and what it wrote.
Matrices are raw little-endian arrays: <name>.indptr.i32, .indices.i32, .data.f32; meta.json holds shapes and params.
"""

import json
import os
import resource
import sys
import time

import numpy as np
import scipy.sparse as sp


def load_csr(folder, name, meta):
    shape = tuple(meta[name]["shape"])
    indptr = np.fromfile(os.path.join(folder, f"{name}.indptr.i32"), dtype="<i4")
    indices = np.fromfile(os.path.join(folder, f"{name}.indices.i32"), dtype="<i4")
    data = np.fromfile(os.path.join(folder, f"{name}.data.f32"), dtype="<f4")
    return sp.csr_matrix((data, indices, indptr), shape=shape)


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def blas_info():
    try:
        from threadpoolctl import threadpool_info

        return [
            {k: i.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for i in threadpool_info()
        ]
    except Exception as err:  # informational only
        return [{"error": str(err)}]


def cosine(folder, meta):
    from sklearn.preprocessing import normalize

    x = load_csr(folder, "x", meta)
    k = meta["k"]
    block = meta.get("blockRows", 2048)
    rows = x.shape[0]
    start = time.perf_counter()
    xn = normalize(x, norm="l2", axis=1, copy=True)
    xt = xn.T.tocsr()
    out_index = np.full((rows, k), -1, dtype=np.int32)
    out_score = np.zeros((rows, k), dtype=np.float32)
    for lo in range(0, rows, block):
        hi = min(rows, lo + block)
        s = (xn[lo:hi] @ xt).toarray()  # dense block: rows x users
        s[np.arange(hi - lo), np.arange(lo, hi)] = 0.0  # no self-neighbours
        # Top-k by descending score; equal scores rank by ascending row (= ascending handle), zero scores dropped.
        part = np.argpartition(-s, kth=min(k, rows - 1) - 1, axis=1)[:, : k + 0]
        for i in range(hi - lo):
            row = s[i]
            cand = part[i]
            kth = row[cand].min()
            # Widen the candidates to every column tied with the k-th score, then order by (-score, column).
            if kth > 0:
                cand = np.union1d(cand, np.nonzero(row == kth)[0])
            order = np.lexsort((cand, -row[cand]))
            chosen = cand[order][:k]
            chosen = chosen[row[chosen] > 0]
            out_index[lo + i, : len(chosen)] = chosen
            out_score[lo + i, : len(chosen)] = row[chosen]
    seconds = time.perf_counter() - start
    out_index.tofile(os.path.join(folder, "sklearn-cosine.index.i32"))
    out_score.tofile(os.path.join(folder, "sklearn-cosine.score.f32"))
    return {"tool": "scikit-learn", "task": "cosine", "seconds": seconds, "peakMiB": peak_mib()}


def als(folder, meta):
    from implicit.cpu.als import AlternatingLeastSquares

    # implicit reads its input as the confidence c_ui itself; the export holds 1 + (alpha log1p s | tag weight).
    c = load_csr(folder, "c1", meta)
    p = meta["als"]
    model = AlternatingLeastSquares(
        factors=p["factors"],
        regularization=p["regularization"],
        alpha=1.0,
        iterations=p["iterations"],
        use_cg=True,
        use_native=True,
        calculate_training_loss=False,
        num_threads=meta.get("threads", 2),
        random_state=p["seed"],
    )
    start = time.perf_counter()
    model.fit(c, show_progress=False)
    seconds = time.perf_counter() - start
    np.ascontiguousarray(model.user_factors, dtype=np.float32).tofile(os.path.join(folder, "implicit-users.f32"))
    return {
        "tool": "implicit",
        "task": "als",
        "seconds": seconds,
        "perIteration": seconds / p["iterations"],
        "peakMiB": peak_mib(),
        "factors": int(model.user_factors.shape[1]),
    }


def main():
    task, folder = sys.argv[1], sys.argv[2]
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    result = cosine(folder, meta) if task == "cosine" else als(folder, meta)
    result["blas"] = blas_info()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
