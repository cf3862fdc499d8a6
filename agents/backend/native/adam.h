// One Adam step over one variable in one pass (the ArenaAdamStep kernel).
#pragma once

#include <cstdint>

namespace fast_cpu {

// The seven Adam constants, each already rounded to float32 as the op form's scalar
// tensors are, in the order the caller's `scalars` array holds them.
struct AdamScalars {
  float b1, c1, b2, c2, lrT, bc2, eps;  // beta1, 1 - beta1, beta2, 1 - beta2,
                                        // lr / (1 - beta1^t), 1 - beta2^t, epsilon
};

// Writes w', m', v' for n elements. The outputs must not overlap any other array (the loop
// declares them unaliased); bindings.cc checks that.
void AdamStep(const float* w, const float* g, const float* m, const float* v, float* wOut,
              float* mOut, float* vOut, int64_t n, const AdamScalars& k);

}  // namespace fast_cpu
