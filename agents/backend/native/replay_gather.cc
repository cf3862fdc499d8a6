#include "replay_gather.h"

namespace fast_cpu {

// The replay memory builds every sampled observation this way; in JS this pass was a sixth
// of the trainer's time.
void GatherStack4(const uint8_t* const frames[4], size_t size, const float* lut, float* o) {
  const uint8_t *a = frames[0], *b = frames[1], *c = frames[2], *d = frames[3];
  for (size_t p = 0; p < size; ++p, o += 4) {
    o[0] = lut[a[p]];
    o[1] = lut[b[p]];
    o[2] = lut[c[p]];
    o[3] = lut[d[p]];
  }
}

}  // namespace fast_cpu
