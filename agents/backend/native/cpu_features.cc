#include "cpu_features.h"

// Compiled with the same flags as every other file of the addon (binding.gyp sets them for all
// sources), so the macros below are the extensions -march=native enabled for the whole build.
// scripts/build-native.mjs records the list next to the addon, and agents/backend/native.ts
// checks it against the running CPU before loading the addon: code built for a newer CPU
// would die with SIGILL on an older one, which no JS handler can catch.

namespace fast_cpu {

std::vector<const char*> CompiledCpuFlags() {
  std::vector<const char*> flags;
#if defined(__x86_64__) || defined(__i386__)
#ifdef __SSE3__
  flags.push_back("pni");
#endif
#ifdef __SSSE3__
  flags.push_back("ssse3");
#endif
#ifdef __SSE4_1__
  flags.push_back("sse4_1");
#endif
#ifdef __SSE4_2__
  flags.push_back("sse4_2");
#endif
#ifdef __SSE4A__
  flags.push_back("sse4a");
#endif
#ifdef __POPCNT__
  flags.push_back("popcnt");
#endif
#ifdef __LZCNT__
  flags.push_back("abm");
#endif
#ifdef __MOVBE__
  flags.push_back("movbe");
#endif
#ifdef __BMI__
  flags.push_back("bmi1");
#endif
#ifdef __BMI2__
  flags.push_back("bmi2");
#endif
#ifdef __ADX__
  flags.push_back("adx");
#endif
#ifdef __AES__
  flags.push_back("aes");
#endif
#ifdef __PCLMUL__
  flags.push_back("pclmulqdq");
#endif
#ifdef __SHA__
  flags.push_back("sha_ni");
#endif
#ifdef __F16C__
  flags.push_back("f16c");
#endif
#ifdef __FMA__
  flags.push_back("fma");
#endif
#ifdef __FMA4__
  flags.push_back("fma4");
#endif
#ifdef __XOP__
  flags.push_back("xop");
#endif
#ifdef __AVX__
  flags.push_back("avx");
#endif
#ifdef __AVX2__
  flags.push_back("avx2");
#endif
#ifdef __AVXVNNI__
  flags.push_back("avx_vnni");
#endif
#ifdef __VAES__
  flags.push_back("vaes");
#endif
#ifdef __VPCLMULQDQ__
  flags.push_back("vpclmulqdq");
#endif
#ifdef __GFNI__
  flags.push_back("gfni");
#endif
#ifdef __AVX512F__
  flags.push_back("avx512f");
#endif
#ifdef __AVX512CD__
  flags.push_back("avx512cd");
#endif
#ifdef __AVX512BW__
  flags.push_back("avx512bw");
#endif
#ifdef __AVX512DQ__
  flags.push_back("avx512dq");
#endif
#ifdef __AVX512VL__
  flags.push_back("avx512vl");
#endif
#ifdef __AVX512IFMA__
  flags.push_back("avx512ifma");
#endif
#ifdef __AVX512VBMI__
  flags.push_back("avx512vbmi");
#endif
#ifdef __AVX512VBMI2__
  flags.push_back("avx512_vbmi2");
#endif
#ifdef __AVX512VNNI__
  flags.push_back("avx512_vnni");
#endif
#ifdef __AVX512BITALG__
  flags.push_back("avx512_bitalg");
#endif
#ifdef __AVX512VPOPCNTDQ__
  flags.push_back("avx512_vpopcntdq");
#endif
#ifdef __AVX512BF16__
  flags.push_back("avx512_bf16");
#endif
#ifdef __AVX512FP16__
  flags.push_back("avx512_fp16");
#endif
#endif  // x86
#if defined(__aarch64__)
#ifdef __ARM_FEATURE_CRC32
  flags.push_back("crc32");
#endif
#ifdef __ARM_FEATURE_ATOMICS
  flags.push_back("atomics");
#endif
#ifdef __ARM_FEATURE_QRDMX
  flags.push_back("asimdrdm");
#endif
#ifdef __ARM_FEATURE_FP16_VECTOR_ARITHMETIC
  flags.push_back("asimdhp");
#endif
#ifdef __ARM_FEATURE_DOTPROD
  flags.push_back("asimddp");
#endif
#ifdef __ARM_FEATURE_MATMUL_INT8
  flags.push_back("i8mm");
#endif
#ifdef __ARM_FEATURE_BF16_VECTOR_ARITHMETIC
  flags.push_back("bf16");
#endif
#ifdef __ARM_FEATURE_SVE
  flags.push_back("sve");
#endif
#ifdef __ARM_FEATURE_SVE2
  flags.push_back("sve2");
#endif
#endif  // arm64
  return flags;
}

}  // namespace fast_cpu
