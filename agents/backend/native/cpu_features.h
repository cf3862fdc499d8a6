// The instruction-set extensions this build's code may use, as the compiler saw them.
#pragma once

#include <vector>

namespace fast_cpu {

// Names as Linux's /proc/cpuinfo spells them ("flags" on x86, "Features" on arm64), so the
// loader can compare a build against the CPU it runs on.
std::vector<const char*> CompiledCpuFlags();

}  // namespace fast_cpu
