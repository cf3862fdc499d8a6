// Argument checks for the bindings. Every binding reads its arguments through an Args, which
// throws ArgError on the first one that is missing, of the wrong type, or out of range;
// bindings.cc turns that into a JS TypeError or RangeError before any kernel touches memory.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace fast_cpu {

struct ArgError {
  enum Kind { kType, kRange } kind;
  std::string message;
};

// A typed array's elements, as the binding may use them.
template <typename T>
struct View {
  T* data = nullptr;
  size_t length = 0;
};

class Args {
 public:
  // fn names the binding in every message, e.g. "conv2d: x has 3 elements, expected 4".
  Args(const Napi::CallbackInfo& info, const char* fn) : info_(info), fn_(fn) {}

  // Exactly `count` arguments.
  void Count(size_t count) const;
  View<float> Float32(size_t i, const char* name) const;
  // A Float32Array, or null / undefined (returned with a null data pointer).
  View<float> Float32OrNull(size_t i, const char* name) const;
  View<uint8_t> Uint8(size_t i, const char* name) const;
  // An integer number in [min, max].
  int64_t Int(size_t i, const char* name, int64_t min, int64_t max) const;
  double Number(size_t i, const char* name) const;
  bool Bool(size_t i, const char* name) const;
  Napi::Object Object(size_t i, const char* name) const;
  // An integer property of obj in [min, max]; `name` is the argument holding obj.
  int64_t IntField(const Napi::Object& obj, const char* name, const char* key, int64_t min,
                   int64_t max) const;

  // Throws unless `length` is `expected`; `what` says where the expectation comes from
  // (e.g. "n*h*w*c").
  void Length(const char* name, size_t length, int64_t expected, const std::string& what) const;
  // The product of dims, throwing instead of overflowing (only absurd geometry gets there).
  int64_t Product(std::initializer_list<int64_t> dims, const std::string& what) const;

  [[noreturn]] void TypeFail(const std::string& message) const;
  [[noreturn]] void RangeFail(const std::string& message) const;

 private:
  Napi::Value At(size_t i, const char* name) const;
  template <typename T>
  View<T> Typed(size_t i, const char* name, napi_typedarray_type type, const char* typeName) const;

  const Napi::CallbackInfo& info_;
  const char* fn_;
};

}  // namespace fast_cpu
