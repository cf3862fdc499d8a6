// The replay memory's hot loop: four stored uint8 frames into one float32 frame stack.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fast_cpu {

// Interleaves four frames of `size` bytes each (oldest first) into 4 * size floats at out,
// NHWC (channel = frame), mapping each byte through lut (256 floats).
void GatherStack4(const uint8_t* const frames[4], size_t size, const float* lut, float* out);

}  // namespace fast_cpu
