// The addon's JS interface: every binding checks its arguments (count, types, typed-array
// lengths, geometry) and throws a TypeError or RangeError naming what is wrong before any
// kernel runs, so a bad call can never read or write outside the arrays it was given. The
// kernels behind them (one file per concern) trust what they get.
//
// Every kernel reads and writes the Float32Arrays owned by the tfjs cpu backend directly, so
// no data is copied across the JS/C++ boundary; outputs are allocated by the caller in JS.

#include <napi.h>

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "adam.h"
#include "args.h"
#include "conv.h"
#include "cpu_features.h"
#include "elementwise.h"
#include "matmul.h"
#include "onednn.h"
#include "replay_gather.h"
#include "threads.h"

namespace fast_cpu {

namespace {

// Tensor dimensions beyond int32 are not something tfjs can hold; the bound also keeps
// products of two dimensions (and a few sums of them) inside int64.
constexpr int64_t kMaxDim = INT32_MAX;
constexpr int64_t kMaxThreads = 4096;

// "n*h*w*c (2*84*84*4)": how an expected length was computed, for error messages.
std::string Formula(std::initializer_list<std::pair<const char*, int64_t>> dims) {
  std::string names, values;
  for (const auto& [name, value] : dims) {
    if (!names.empty()) {
      names += "*";
      values += "*";
    }
    names += name;
    values += std::to_string(value);
  }
  return names + " (" + values + ")";
}

// Reads a convolution's geometry and checks that it describes a convolution tfjs could ask
// for: positive sizes, non-negative padding, and an output that covers the input (at most
// stride - 1 rows or columns left unread, as floor rounding leaves them).
Conv ReadConv(const Args& a, size_t i) {
  const Napi::Object o = a.Object(i, "params");
  const char* name = "params";
  Conv p{};
  p.n = a.IntField(o, name, "n", 1, kMaxDim);
  p.h = a.IntField(o, name, "h", 1, kMaxDim);
  p.w = a.IntField(o, name, "w", 1, kMaxDim);
  p.c = a.IntField(o, name, "c", 1, kMaxDim);
  p.kh = a.IntField(o, name, "kh", 1, kMaxDim);
  p.kw = a.IntField(o, name, "kw", 1, kMaxDim);
  p.oc = a.IntField(o, name, "oc", 1, kMaxDim);
  p.oh = a.IntField(o, name, "oh", 1, kMaxDim);
  p.ow = a.IntField(o, name, "ow", 1, kMaxDim);
  p.sh = a.IntField(o, name, "sh", 1, kMaxDim);
  p.sw = a.IntField(o, name, "sw", 1, kMaxDim);
  p.dh = a.IntField(o, name, "dh", 1, kMaxDim);
  p.dw = a.IntField(o, name, "dw", 1, kMaxDim);
  p.pt = a.IntField(o, name, "pt", 0, kMaxDim);
  p.pl = a.IntField(o, name, "pl", 0, kMaxDim);
  const auto covers = [&](const char* out, int64_t outSize, const char* in, int64_t x, int64_t k,
                          int64_t s, int64_t d, int64_t pad) {
    const int64_t unread = x + pad - ((outSize - 1) * s + (k - 1) * d + 1);
    if (unread >= s) {
      a.RangeFail(std::string("params.") + out + " = " + std::to_string(outSize) +
                  " is too small for " +
                  in + " = " + std::to_string(x) + " (kernel " + std::to_string(k) + ", stride " +
                  std::to_string(s) + ", dilation " + std::to_string(d) + ", padding " +
                  std::to_string(pad) + "): " + std::to_string(unread) +
                  " input rows or columns would be left unread");
    }
  };
  covers("oh", p.oh, "h", p.h, p.kh, p.sh, p.dh, p.pt);
  covers("ow", p.ow, "w", p.w, p.kw, p.sw, p.dw, p.pl);
  return p;
}

void CheckImages(const Args& a, const Conv& p, const char* name, const View<float>& v) {
  a.Length(name, v.length, a.Product({p.n, p.h, p.w, p.c}, "n*h*w*c"),
           Formula({{"n", p.n}, {"h", p.h}, {"w", p.w}, {"c", p.c}}));
}

void CheckOutputs(const Args& a, const Conv& p, const char* name, const View<float>& v) {
  a.Length(name, v.length, a.Product({p.n, p.oh, p.ow, p.oc}, "n*oh*ow*oc"),
           Formula({{"n", p.n}, {"oh", p.oh}, {"ow", p.ow}, {"oc", p.oc}}));
}

void CheckFilter(const Args& a, const Conv& p, const char* name, const View<float>& v) {
  a.Length(name, v.length, a.Product({p.kh, p.kw, p.c, p.oc}, "kh*kw*c*oc"),
           Formula({{"kh", p.kh}, {"kw", p.kw}, {"c", p.c}, {"oc", p.oc}}));
}

// conv2d(params, x, filter, out, bias|null, act)
Napi::Value Conv2D(const Args& a, Napi::Env env) {
  a.Count(6);
  const Conv p = ReadConv(a, 0);
  const View<float> x = a.Float32(1, "x");
  const View<float> f = a.Float32(2, "filter");
  const View<float> out = a.Float32(3, "out");
  const View<float> bias = a.Float32OrNull(4, "bias");
  const int act = static_cast<int>(a.Int(5, "act", 0, 1));
  CheckImages(a, p, "x", x);
  CheckFilter(a, p, "filter", f);
  CheckOutputs(a, p, "out", out);
  if (bias.data) a.Length("bias", bias.length, p.oc, "oc");
  ConvForward(p, x.data, f.data, bias.data, act, out.data);
  return env.Undefined();
}

// conv2dBackpropFilter(params, x, dy, dw)
Napi::Value Conv2DBackpropFilter(const Args& a, Napi::Env env) {
  a.Count(4);
  const Conv p = ReadConv(a, 0);
  const View<float> x = a.Float32(1, "x");
  const View<float> dy = a.Float32(2, "dy");
  const View<float> dw = a.Float32(3, "dw");
  CheckImages(a, p, "x", x);
  CheckOutputs(a, p, "dy", dy);
  CheckFilter(a, p, "dw", dw);
  ConvFilterGrad(p, x.data, dy.data, dw.data);
  return env.Undefined();
}

// conv2dBackpropInput(params, dy, filter, dx)
Napi::Value Conv2DBackpropInput(const Args& a, Napi::Env env) {
  a.Count(4);
  const Conv p = ReadConv(a, 0);
  const View<float> dy = a.Float32(1, "dy");
  const View<float> f = a.Float32(2, "filter");
  const View<float> dx = a.Float32(3, "dx");
  CheckOutputs(a, p, "dy", dy);
  CheckFilter(a, p, "filter", f);
  CheckImages(a, p, "dx", dx);
  ConvInputGrad(p, dy.data, f.data, dx.data);
  return env.Undefined();
}

// matMul(a, b, out, batch, batchA, batchB, m, n, k, transposeA, transposeB, bias|null, act)
Napi::Value MatMulBinding(const Args& a, Napi::Env env) {
  a.Count(13);
  const View<float> av = a.Float32(0, "a");
  const View<float> bv = a.Float32(1, "b");
  const View<float> out = a.Float32(2, "out");
  const int64_t batch = a.Int(3, "batch", 1, kMaxDim);
  const int64_t batchA = a.Int(4, "batchA", 1, kMaxDim);
  const int64_t batchB = a.Int(5, "batchB", 1, kMaxDim);
  const int64_t m = a.Int(6, "m", 1, kMaxDim);
  const int64_t n = a.Int(7, "n", 1, kMaxDim);
  const int64_t k = a.Int(8, "k", 1, kMaxDim);
  const bool ta = a.Bool(9, "transposeA");
  const bool tb = a.Bool(10, "transposeB");
  const View<float> bias = a.Float32OrNull(11, "bias");
  const int act = static_cast<int>(a.Int(12, "act", 0, 1));
  // Batch i reads a[i % batchA]: only a whole batch or a single matrix broadcasts that way.
  if (batchA != 1 && batchA != batch) {
    a.RangeFail("batchA must be 1 or batch (" + std::to_string(batch) + "), got " +
                std::to_string(batchA));
  }
  if (batchB != 1 && batchB != batch) {
    a.RangeFail("batchB must be 1 or batch (" + std::to_string(batch) + "), got " +
                std::to_string(batchB));
  }
  a.Length("a", av.length, a.Product({batchA, m, k}, "batchA*m*k"),
           Formula({{"batchA", batchA}, {"m", m}, {"k", k}}));
  a.Length("b", bv.length, a.Product({batchB, k, n}, "batchB*k*n"),
           Formula({{"batchB", batchB}, {"k", k}, {"n", n}}));
  a.Length("out", out.length, a.Product({batch, m, n}, "batch*m*n"),
           Formula({{"batch", batch}, {"m", m}, {"n", n}}));
  if (bias.data) a.Length("bias", bias.length, n, "n");
  MatMul(av.data, bv.data, out.data, batch, batchA, batchB, m, n, k, ta, tb, bias.data, act);
  return env.Undefined();
}

// binary(op, a, b, out, mode, rowLength): out has the output's length; mode says how a and b
// cover it (BroadcastMode), rowLength is the repeated operand's length in the row modes.
Napi::Value BinaryBinding(const Args& a, Napi::Env env) {
  a.Count(6);
  const int op = static_cast<int>(a.Int(0, "op", 0, kBinaryOpCount - 1));
  const View<float> av = a.Float32(1, "a");
  const View<float> bv = a.Float32(2, "b");
  const View<float> out = a.Float32(3, "out");
  const int mode = static_cast<int>(a.Int(4, "mode", 0, kBroadcastModeCount - 1));
  const int64_t row = a.Int(5, "rowLength", 1, kMaxDim);
  const auto n = static_cast<int64_t>(out.length);
  if ((mode == kRowA || mode == kRowB) && n % row != 0) {
    a.RangeFail("out has " + std::to_string(n) + " elements, not a whole number of rows of " +
                "rowLength = " + std::to_string(row));
  }
  const std::string outLen = "out.length";
  const std::string rowLen = "rowLength";
  switch (mode) {
    case kSame:
      a.Length("a", av.length, n, outLen);
      a.Length("b", bv.length, n, outLen);
      break;
    case kScalarA:
      a.Length("a", av.length, 1, "1 (a scalar)");
      a.Length("b", bv.length, n, outLen);
      break;
    case kScalarB:
      a.Length("a", av.length, n, outLen);
      a.Length("b", bv.length, 1, "1 (a scalar)");
      break;
    case kRowB:
      a.Length("a", av.length, n, outLen);
      a.Length("b", bv.length, row, rowLen);
      break;
    case kRowA:
      a.Length("a", av.length, row, rowLen);
      a.Length("b", bv.length, n, outLen);
      break;
  }
  Binary(op, av.data, bv.data, out.data, n, mode, row);
  return env.Undefined();
}

// unary(op, x, out, alpha)
Napi::Value UnaryBinding(const Args& a, Napi::Env env) {
  a.Count(4);
  const int op = static_cast<int>(a.Int(0, "op", 0, kUnaryOpCount - 1));
  const View<float> x = a.Float32(1, "x");
  const View<float> out = a.Float32(2, "out");
  const auto alpha = static_cast<float>(a.Number(3, "alpha"));
  a.Length("x", x.length, static_cast<int64_t>(out.length), "out.length");
  Unary(op, x.data, out.data, static_cast<int64_t>(out.length), alpha);
  return env.Undefined();
}

// sumReduce(x, out, rows, cols, leading): x is [rows, cols]; sums over rows when leading.
Napi::Value SumReduceBinding(const Args& a, Napi::Env env) {
  a.Count(5);
  const View<float> x = a.Float32(0, "x");
  const View<float> out = a.Float32(1, "out");
  const int64_t rows = a.Int(2, "rows", 1, kMaxDim);
  const int64_t cols = a.Int(3, "cols", 1, kMaxDim);
  const bool leading = a.Bool(4, "leading");
  a.Length("x", x.length, a.Product({rows, cols}, "rows*cols"),
           Formula({{"rows", rows}, {"cols", cols}}));
  a.Length("out", out.length, leading ? cols : rows, leading ? "cols" : "rows");
  SumReduce(x.data, out.data, rows, cols, leading);
  return env.Undefined();
}

bool Overlap(const View<float>& p, const View<float>& q) {
  const auto p0 = reinterpret_cast<uintptr_t>(p.data);
  const auto q0 = reinterpret_cast<uintptr_t>(q.data);
  return p.length > 0 && q.length > 0 && p0 < q0 + q.length * sizeof(float) &&
         q0 < p0 + p.length * sizeof(float);
}

// adamStep(w, g, m, v, wOut, mOut, vOut, scalars)
Napi::Value AdamStepBinding(const Args& a, Napi::Env env) {
  a.Count(8);
  const char* names[7] = {"w", "g", "m", "v", "wOut", "mOut", "vOut"};
  View<float> arrays[7];
  for (size_t i = 0; i < 7; ++i) arrays[i] = a.Float32(i, names[i]);
  const View<float> k = a.Float32(7, "scalars");
  const auto n = static_cast<int64_t>(arrays[0].length);
  for (size_t i = 1; i < 7; ++i) a.Length(names[i], arrays[i].length, n, "w.length");
  a.Length("scalars", k.length, 7, "7 (beta1, 1 - beta1, beta2, 1 - beta2, lr_t, bc2, epsilon)");
  // The loop declares its arrays unaliased: an output sharing memory would be undefined
  // behaviour, not merely a wrong answer.
  for (size_t o = 4; o < 7; ++o) {
    for (size_t i = 0; i < 7; ++i) {
      if (i != o && Overlap(arrays[o], arrays[i])) {
        a.RangeFail(std::string(names[o]) + " overlaps " + names[i] +
                    "; outputs must not share memory with any other argument");
      }
    }
    if (Overlap(arrays[o], k)) {
      a.RangeFail(std::string(names[o]) + " overlaps scalars");
    }
  }
  const AdamScalars s{k.data[0], k.data[1], k.data[2], k.data[3], k.data[4], k.data[5], k.data[6]};
  AdamStep(arrays[0].data, arrays[1].data, arrays[2].data, arrays[3].data, arrays[4].data,
           arrays[5].data, arrays[6].data, n, s);
  return env.Undefined();
}

// gatherStack4(f0, f1, f2, f3, lut, out, offset)
Napi::Value GatherStack4Binding(const Args& a, Napi::Env env) {
  a.Count(7);
  const char* names[4] = {"f0", "f1", "f2", "f3"};
  const uint8_t* frames[4];
  size_t size = 0;
  for (size_t i = 0; i < 4; ++i) {
    const View<uint8_t> f = a.Uint8(i, names[i]);
    if (i == 0) size = f.length;
    a.Length(names[i], f.length, static_cast<int64_t>(size), "f0.length (frames differ in size)");
    frames[i] = f.data;
  }
  const View<float> lut = a.Float32(4, "lut");
  const View<float> out = a.Float32(5, "out");
  const int64_t offset = a.Int(6, "offset", 0, kMaxDim * int64_t{4});
  a.Length("lut", lut.length, 256, "256 (one float per byte value)");
  const int64_t end = offset + 4 * static_cast<int64_t>(size);
  if (end > static_cast<int64_t>(out.length)) {
    a.RangeFail("out has " + std::to_string(out.length) + " elements; the stack needs offset + " +
                "4*frame size = " + std::to_string(offset) + " + 4*" + std::to_string(size) +
                " = " + std::to_string(end));
  }
  GatherStack4(frames, size, lut.data, out.data + offset);
  return env.Undefined();
}

Napi::Value SetThreadsBinding(const Args& a, Napi::Env env) {
  a.Count(1);
  SetThreads(static_cast<int>(a.Int(0, "threads", 1, kMaxThreads)));
  return env.Undefined();
}

Napi::Value SetLoopThreadsBinding(const Args& a, Napi::Env env) {
  a.Count(1);
  SetLoopThreads(static_cast<int>(a.Int(0, "threads", 1, kMaxThreads)));
  return env.Undefined();
}

Napi::Value GetThreads(const Args& a, Napi::Env env) {
  a.Count(0);
  return Napi::Number::New(env, g_threads);
}

Napi::Value SetBlockConvBinding(const Args& a, Napi::Env env) {
  a.Count(1);
  SetBlockConv(a.Bool(0, "on"));
  return env.Undefined();
}

// setDnnl(on): whether convolutions use oneDNN where the addon has it (default on).
Napi::Value SetDnnlBinding(const Args& a, Napi::Env env) {
  a.Count(1);
  SetDnnl(a.Bool(0, "on"));
  return env.Undefined();
}

// Which optional libraries this build has and uses: { dnnl: boolean }.
Napi::Value Features(const Args& a, Napi::Env env) {
  a.Count(0);
  Napi::Object o = Napi::Object::New(env);
  o.Set("dnnl", Napi::Boolean::New(env, DnnlBuilt()));
  return o;
}

// The instruction-set extensions the build's code uses, as /proc/cpuinfo names them.
Napi::Value CompiledCpuFlagsBinding(const Args& a, Napi::Env env) {
  a.Count(0);
  const std::vector<const char*> flags = CompiledCpuFlags();
  Napi::Array out = Napi::Array::New(env, flags.size());
  for (size_t i = 0; i < flags.size(); ++i) out.Set(static_cast<uint32_t>(i), flags[i]);
  return out;
}

struct Binding {
  const char* name;
  Napi::Value (*body)(const Args&, Napi::Env);
};

const Binding kBindings[] = {
    {"conv2d", Conv2D},
    {"conv2dBackpropFilter", Conv2DBackpropFilter},
    {"conv2dBackpropInput", Conv2DBackpropInput},
    {"matMul", MatMulBinding},
    {"binary", BinaryBinding},
    {"unary", UnaryBinding},
    {"sumReduce", SumReduceBinding},
    {"adamStep", AdamStepBinding},
    {"gatherStack4", GatherStack4Binding},
    {"setThreads", SetThreadsBinding},
    {"setLoopThreads", SetLoopThreadsBinding},
    {"getThreads", GetThreads},
    {"setBlockConv", SetBlockConvBinding},
    {"setDnnl", SetDnnlBinding},
    {"features", Features},
    {"compiledCpuFlags", CompiledCpuFlagsBinding},
};

// Every binding runs through here: a failed argument check becomes a TypeError or RangeError,
// and any other C++ exception (an allocation that failed) a plain Error, so none reaches Node.
Napi::Value Dispatch(const Napi::CallbackInfo& info) {
  const auto* b = static_cast<const Binding*>(info.Data());
  Napi::Env env = info.Env();
  try {
    return b->body(Args(info, b->name), env);
  } catch (const ArgError& e) {
    if (e.kind == ArgError::kType) {
      Napi::TypeError::New(env, e.message).ThrowAsJavaScriptException();
    } else {
      Napi::RangeError::New(env, e.message).ThrowAsJavaScriptException();
    }
  } catch (const std::exception& e) {
    Napi::Error::New(env, std::string(b->name) + ": " + e.what()).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InitThreads();
  for (const Binding& b : kBindings) {
    exports.Set(b.name, Napi::Function::New(env, Dispatch, b.name, const_cast<Binding*>(&b)));
  }
  return exports;
}

}  // namespace fast_cpu

// NODE_API_MODULE wants an unqualified name.
static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  return fast_cpu::Init(env, exports);
}

NODE_API_MODULE(fast_cpu, InitAddon)
