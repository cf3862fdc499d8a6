#include "threads.h"

#include <cstdlib>

extern "C" {
// Declared by OpenBLAS but not by every cblas.h flavour.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
#ifdef FAST_CPU_DNNL
// Debian's oneDNN runs on GNU OpenMP; the thread count is per calling thread.
void omp_set_num_threads(int num_threads);
#endif
}

namespace fast_cpu {

int g_threads = 1;
// Default 1: these loops are memory-bound, and spawning helpers cost more in system time and
// stalls than they saved on a busy machine. FAST_CPU_LOOP_THREADS raises it.
int g_loop_threads = 1;

void InitThreads() {
  g_threads = std::max(1, openblas_get_num_threads());
#ifdef FAST_CPU_DNNL
  omp_set_num_threads(g_threads);
#endif
  if (const char* loop = std::getenv("FAST_CPU_LOOP_THREADS")) {
    g_loop_threads = std::max(1, std::atoi(loop));
  }
}

void SetThreads(int threads) {
  g_threads = std::max(1, threads);
  openblas_set_num_threads(g_threads);
#ifdef FAST_CPU_DNNL
  omp_set_num_threads(g_threads);
#endif
}

void SetLoopThreads(int threads) { g_loop_threads = std::max(1, threads); }

}  // namespace fast_cpu
