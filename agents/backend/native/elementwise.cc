#include "elementwise.h"

#include <cmath>
#include <vector>

#include "threads.h"

// Elementwise kernels. Adam, ReLU gradients and bias broadcasting run over every parameter
// and activation each step; in JS each op costs several ns per element, here it is
// bandwidth-bound and can be split across threads.

namespace fast_cpu {

namespace {

template <BinaryOp OP>
inline float Apply(float a, float b) {
  if constexpr (OP == kAdd) return a + b;
  if constexpr (OP == kSub) return a - b;
  if constexpr (OP == kMul) return a * b;
  if constexpr (OP == kDiv) return a / b;
  // Math.max / Math.min semantics: NaN wins.
  if constexpr (OP == kMax) return (a != a || b != b) ? NAN : (a > b ? a : b);
  if constexpr (OP == kMin) return (a != a || b != b) ? NAN : (a < b ? a : b);
  if constexpr (OP == kSqDiff) return (a - b) * (a - b);
  return 0.f;
}

template <BinaryOp OP>
void BinaryLoop(const float* a, const float* b, float* o, int64_t n, int mode, int64_t lb) {
  switch (mode) {
    case kSame:
      ParallelFor(n, kMinElemsPerThread, [&](int64_t s, int64_t e) {
        for (int64_t i = s; i < e; ++i) o[i] = Apply<OP>(a[i], b[i]);
      });
      break;
    case kScalarA: {
      float av = a[0];
      ParallelFor(n, kMinElemsPerThread, [&](int64_t s, int64_t e) {
        for (int64_t i = s; i < e; ++i) o[i] = Apply<OP>(av, b[i]);
      });
      break;
    }
    case kScalarB: {
      float bv = b[0];
      ParallelFor(n, kMinElemsPerThread, [&](int64_t s, int64_t e) {
        for (int64_t i = s; i < e; ++i) o[i] = Apply<OP>(a[i], bv);
      });
      break;
    }
    case kRowB:
    case kRowA: {
      int64_t rows = n / lb;
      ParallelFor(rows, kMinElemsPerThread / lb + 1, [&](int64_t s, int64_t e) {
        for (int64_t r = s; r < e; ++r) {
          float* orow = o + r * lb;
          if (mode == kRowB) {
            const float* arow = a + r * lb;
            for (int64_t j = 0; j < lb; ++j) orow[j] = Apply<OP>(arow[j], b[j]);
          } else {
            const float* brow = b + r * lb;
            for (int64_t j = 0; j < lb; ++j) orow[j] = Apply<OP>(a[j], brow[j]);
          }
        }
      });
      break;
    }
  }
}

template <UnaryOp OP>
void UnaryLoop(const float* x, float* o, int64_t n, float alpha) {
  ParallelFor(n, kMinElemsPerThread, [&](int64_t s, int64_t e) {
    for (int64_t i = s; i < e; ++i) {
      float v = x[i];
      if constexpr (OP == kSqrt) o[i] = std::sqrt(v);
      if constexpr (OP == kSquare) o[i] = v * v;
      // NaN passes through, as Math.max(0, NaN) does.
      if constexpr (OP == kRelu) o[i] = v < 0.f ? 0.f : v;
      if constexpr (OP == kStep) o[i] = v != v ? NAN : (v > 0.f ? 1.f : alpha);
      if constexpr (OP == kNeg) o[i] = -v;
      if constexpr (OP == kAbs) o[i] = std::fabs(v);
      if constexpr (OP == kExp) o[i] = static_cast<float>(std::exp(static_cast<double>(v)));
      if constexpr (OP == kLog) o[i] = static_cast<float>(std::log(static_cast<double>(v)));
      if constexpr (OP == kRsqrt) o[i] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(v)));
    }
  });
}

}  // namespace

void Binary(int op, const float* a, const float* b, float* o, int64_t n, int mode, int64_t lb) {
  switch (op) {
    case kAdd: BinaryLoop<kAdd>(a, b, o, n, mode, lb); break;
    case kSub: BinaryLoop<kSub>(a, b, o, n, mode, lb); break;
    case kMul: BinaryLoop<kMul>(a, b, o, n, mode, lb); break;
    case kDiv: BinaryLoop<kDiv>(a, b, o, n, mode, lb); break;
    case kMax: BinaryLoop<kMax>(a, b, o, n, mode, lb); break;
    case kMin: BinaryLoop<kMin>(a, b, o, n, mode, lb); break;
    case kSqDiff: BinaryLoop<kSqDiff>(a, b, o, n, mode, lb); break;
  }
}

void Unary(int op, const float* x, float* o, int64_t n, float alpha) {
  switch (op) {
    case kSqrt: UnaryLoop<kSqrt>(x, o, n, alpha); break;
    case kSquare: UnaryLoop<kSquare>(x, o, n, alpha); break;
    case kRelu: UnaryLoop<kRelu>(x, o, n, alpha); break;
    case kStep: UnaryLoop<kStep>(x, o, n, alpha); break;
    case kNeg: UnaryLoop<kNeg>(x, o, n, alpha); break;
    case kAbs: UnaryLoop<kAbs>(x, o, n, alpha); break;
    case kExp: UnaryLoop<kExp>(x, o, n, alpha); break;
    case kLog: UnaryLoop<kLog>(x, o, n, alpha); break;
    case kRsqrt: UnaryLoop<kRsqrt>(x, o, n, alpha); break;
  }
}

// Accumulates in double, as the JS cpu kernel does.
void SumReduce(const float* x, float* o, int64_t rows, int64_t cols, bool leading) {
  if (leading) {
    std::vector<double> acc(cols, 0.0);
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = x + r * cols;
      for (int64_t c = 0; c < cols; ++c) acc[c] += row[c];
    }
    for (int64_t c = 0; c < cols; ++c) o[c] = static_cast<float>(acc[c]);
  } else {
    ParallelFor(rows, kMinElemsPerThread / std::max<int64_t>(cols, 1) + 1, [&](int64_t s, int64_t e) {
      for (int64_t r = s; r < e; ++r) {
        const float* row = x + r * cols;
        double acc = 0.0;
        for (int64_t c = 0; c < cols; ++c) acc += row[c];
        o[r] = static_cast<float>(acc);
      }
    });
  }
}

void BiasAct(float* out, int64_t rows, int64_t cols, const float* bias, int act) {
  if (!bias && act == 0) return;
  ParallelFor(rows, 4096 / std::max<int64_t>(cols, 1) + 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      float* o = out + r * cols;
      if (bias) {
        for (int64_t j = 0; j < cols; ++j) o[j] += bias[j];
      }
      if (act == 1) {
        for (int64_t j = 0; j < cols; ++j) o[j] = o[j] > 0.f ? o[j] : 0.f;
      }
    }
  });
}

}  // namespace fast_cpu
