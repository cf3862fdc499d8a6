// Batched matrix products on OpenBLAS with a fused bias + ReLU epilogue.
#pragma once

#include <cstdint>

namespace fast_cpu {

// out[i] = op(a[i % batchA]) . op(b[i % batchB]) for i < batch, each [m, n] with inner size k,
// which is how tfjs broadcasts a batch of one; then bias (n floats, or none) and act
// (0 none, 1 relu).
void MatMul(const float* a, const float* b, float* out, int64_t batch, int64_t batchA,
            int64_t batchB, int64_t m, int64_t n, int64_t k, bool transposeA, bool transposeB,
            const float* bias, int act);

}  // namespace fast_cpu
