#include "matmul.h"

#include <cblas.h>

#include <cstring>

#include "elementwise.h"

namespace fast_cpu {

void MatMul(const float* a, const float* b, float* out, int64_t batch, int64_t batchA,
            int64_t batchB, int64_t m, int64_t n, int64_t k, bool ta, bool tb, const float* bias,
            int act) {
  int64_t lda = ta ? m : k;
  int64_t ldb = tb ? k : n;
  for (int64_t i = 0; i < batch; ++i) {
    const float* ai = a + (i % batchA) * m * k;
    const float* bi = b + (i % batchB) * k * n;
    float* oi = out + i * m * n;
    if (m == 1 && !ta) {
      // A row vector times a matrix: gemv avoids gemm's packing overhead. The
      // output may be a recycled buffer and some BLAS builds scale y by beta=0
      // as a multiply (NaN survives), so clear it first.
      std::memset(oi, 0, sizeof(float) * n);
      cblas_sgemv(CblasRowMajor, tb ? CblasNoTrans : CblasTrans, tb ? n : k, tb ? k : n, 1.f, bi,
                  ldb, ai, 1, 0.f, oi, 1);
    } else {
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m,
                  n, k, 1.f, ai, lda, bi, ldb, 0.f, oi, n);
    }
  }
  BiasAct(out, batch * m, n, bias, act);
}

}  // namespace fast_cpu
