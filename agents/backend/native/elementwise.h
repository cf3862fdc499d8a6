// Bandwidth-bound elementwise loops: the binary and unary ops tfjs runs over every parameter
// and activation each step (Adam's op-by-op form, ReLU gradients, bias broadcasts), sums over
// leading or trailing axes, and the bias + activation epilogue of convolutions and matmuls.
#pragma once

#include <cstdint>

namespace fast_cpu {

// The codes agents/backend/elementwise.ts sends; the order is the contract.
enum BinaryOp { kAdd, kSub, kMul, kDiv, kMax, kMin, kSqDiff, kBinaryOpCount };
// How b (or a) is laid over the output: 0 same shape, 1 a is a scalar, 2 b is a
// scalar, 3 b repeats along the output's rows, 4 a repeats along the rows.
enum BroadcastMode { kSame, kScalarA, kScalarB, kRowB, kRowA, kBroadcastModeCount };
enum UnaryOp { kSqrt, kSquare, kRelu, kStep, kNeg, kAbs, kExp, kLog, kRsqrt, kUnaryOpCount };

// out has n elements; rowLength is the repeated operand's length in the row modes.
void Binary(int op, const float* a, const float* b, float* out, int64_t n, int mode,
            int64_t rowLength);
// alpha is Step's value for x <= 0.
void Unary(int op, const float* x, float* out, int64_t n, float alpha);
// leading ? out[c] = sum_r x[r, c] : out[r] = sum_c x[r, c], accumulated in double.
void SumReduce(const float* x, float* out, int64_t rows, int64_t cols, bool leading);
// Adds bias (cols floats, or none) to every row of out, then applies act (0 none, 1 relu).
void BiasAct(float* out, int64_t rows, int64_t cols, const float* bias, int act);

}  // namespace fast_cpu
