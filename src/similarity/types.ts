// Shared shapes of the similarity math (pure, typed arrays) and the job that feeds it from the graph.

/** Compressed sparse rows: row r's entries are indices/data[indptr[r] .. indptr[r+1]), column indices ascending. */
export interface Csr {
  rows: number;
  cols: number;
  indptr: Int32Array; // length rows + 1
  indices: Int32Array; // length nnz
  data: Float32Array; // length nnz
}

/**
 * Top-k neighbours of every row: neighbour j of row r is index[r * k + j] (-1 when fewer than k exist),
 * with score[r * k + j]; scores descend within a row, ties broken by ascending tie key (the user handle).
 */
export interface Neighbours {
  rows: number;
  k: number;
  index: Int32Array;
  score: Float32Array;
}

export interface DenseMatrix {
  rows: number;
  cols: number;
  data: Float32Array; // row-major, rows * cols
}
