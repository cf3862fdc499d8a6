// Convolutions whose kernel is twice their stride (DQN's 8x8/4 and 4x4/2), valid padding:
// the space-to-depth block path (see conv_block.cc).
#pragma once

#include "conv.h"

namespace fast_cpu {

bool BlockConvApplies(const Conv& p);
void BlockConvForward(const Conv& p, const float* x, const float* w, float* out);
void BlockConvFilterGrad(const Conv& p, const float* x, const float* dy, float* dw);
void BlockConvInputGrad(const Conv& p, const float* dy, const float* w, float* dx);

}  // namespace fast_cpu
