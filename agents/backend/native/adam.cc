#include "adam.h"

#include <cmath>

#include "threads.h"

namespace fast_cpu {

namespace {

// The loop on its own, its arrays declared unaliased: with seven pointers that might overlap the
// compiler would need more run-time overlap checks than it makes, and left the loop scalar
// (a divide, a square root and a divide per element). Vector divides and square roots round
// exactly as scalar ones do, so the result is the same bit for bit. Outputs come from the
// pool and never share memory with the inputs; bindings.cc refuses arrays that overlap.
void AdamLoop(const float* __restrict__ w, const float* __restrict__ g,
              const float* __restrict__ m, const float* __restrict__ v, float* __restrict__ wOut,
              float* __restrict__ mOut, float* __restrict__ vOut, int64_t n, float b1, float c1,
              float b2, float c2, float lrT, float bc2, float eps) {
  for (int64_t i = 0; i < n; ++i) {
    const float gi = g[i];
    const float mi = m[i] * b1 + gi * c1;
    const float vi = v[i] * b2 + (gi * gi) * c2;
    mOut[i] = mi;
    vOut[i] = vi;
    wOut[i] = w[i] - (mi * lrT) / (std::sqrt(vi / bc2) + eps);
  }
}

}  // namespace

// The op-by-op form makes 13 passes and 13 kernel calls; this is one. The arithmetic follows
// agents/dqn/adam.ts operation by operation, in float32, and the build keeps the compiler from
// fusing a multiply and an add (-ffp-contract=off), so the result is bit-identical to the
// op-by-op form on this backend:
//   m' = m b1 + g (1-b1); v' = v b2 + g^2 (1-b2); w' = w - m' lrT / (sqrt(v' / bc2) + eps)
void AdamStep(const float* w, const float* g, const float* m, const float* v, float* wOut,
              float* mOut, float* vOut, int64_t n, const AdamScalars& k) {
  const float b1 = k.b1, c1 = k.c1, b2 = k.b2, c2 = k.c2, lrT = k.lrT, bc2 = k.bc2, eps = k.eps;
  ParallelFor(n, kMinElemsPerThread, [&](int64_t s, int64_t e) {
    AdamLoop(w + s, g + s, m + s, v + s, wOut + s, mOut + s, vOut + s, e - s, b1, c1, b2, c2, lrT,
             bc2, eps);
  });
}

}  // namespace fast_cpu
