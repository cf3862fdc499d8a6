// Thread counts for the addon's own loops and the libraries it calls (OpenBLAS, oneDNN's
// OpenMP), and the helper that splits a loop across threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

namespace fast_cpu {

// Threads for BLAS calls, and the cap for everything else.
extern int g_threads;
// Threads for the addon's own loops (im2col, col2im, elementwise), capped by g_threads.
extern int g_loop_threads;

// Elementwise loops split across threads only above this many elements per thread.
constexpr int64_t kMinElemsPerThread = int64_t{1} << 16;

// Reads the library's thread count and FAST_CPU_LOOP_THREADS; called once when the addon loads.
void InitThreads();
// BLAS threads and the cap for the addon's loops (at least 1).
void SetThreads(int threads);
void SetLoopThreads(int threads);

// Splits [0, n) across the loop threads. Spawning threads costs tens of microseconds, so
// small ranges always run inline.
template <typename F>
void ParallelFor(int64_t n, int64_t minPerThread, F&& fn) {
  int t = static_cast<int>(std::min<int64_t>(std::min(g_threads, g_loop_threads),
                                             n / std::max<int64_t>(minPerThread, 1)));
  if (t <= 1) {
    fn(0, n);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(t - 1);
  int64_t chunk = (n + t - 1) / t;
  for (int i = 1; i < t; ++i) {
    int64_t b = i * chunk;
    int64_t e = std::min(n, b + chunk);
    if (b >= e) break;
    pool.emplace_back([&fn, b, e] { fn(b, e); });
  }
  fn(0, std::min(n, chunk));
  for (auto& th : pool) th.join();
}

}  // namespace fast_cpu
