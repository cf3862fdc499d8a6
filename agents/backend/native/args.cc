#include "args.h"

#include <cmath>

namespace fast_cpu {

namespace {

// The largest integer a double holds exactly; JS numbers beyond it are not sizes.
constexpr double kMaxSafeInteger = 9007199254740991.0;

std::string IntRange(int64_t min, int64_t max) {
  return "[" + std::to_string(min) + ", " + std::to_string(max) + "]";
}

}  // namespace

void Args::TypeFail(const std::string& message) const {
  throw ArgError{ArgError::kType, std::string(fn_) + ": " + message};
}

void Args::RangeFail(const std::string& message) const {
  throw ArgError{ArgError::kRange, std::string(fn_) + ": " + message};
}

void Args::Count(size_t count) const {
  if (info_.Length() != count) {
    TypeFail("expected " + std::to_string(count) + " argument" + (count == 1 ? "" : "s") +
             ", got " + std::to_string(info_.Length()));
  }
}

Napi::Value Args::At(size_t i, const char* name) const {
  if (i >= info_.Length()) TypeFail(std::string(name) + " is missing");
  return info_[i];
}

template <typename T>
View<T> Args::Typed(size_t i, const char* name, napi_typedarray_type type,
                    const char* typeName) const {
  napi_env env = info_.Env();
  napi_value v = At(i, name);
  bool isTyped = false;
  napi_typedarray_type actual;
  size_t length = 0;
  void* data = nullptr;
  if (napi_is_typedarray(env, v, &isTyped) != napi_ok || !isTyped ||
      napi_get_typedarray_info(env, v, &actual, &length, &data, nullptr, nullptr) != napi_ok ||
      actual != type) {
    TypeFail(std::string(name) + " must be a " + typeName);
  }
  return View<T>{static_cast<T*>(data), length};
}

View<float> Args::Float32(size_t i, const char* name) const {
  return Typed<float>(i, name, napi_float32_array, "Float32Array");
}

View<float> Args::Float32OrNull(size_t i, const char* name) const {
  Napi::Value v = At(i, name);
  if (v.IsNull() || v.IsUndefined()) return View<float>{};
  return Typed<float>(i, name, napi_float32_array, "Float32Array or null");
}

View<uint8_t> Args::Uint8(size_t i, const char* name) const {
  return Typed<uint8_t>(i, name, napi_uint8_array, "Uint8Array");
}

double Args::Number(size_t i, const char* name) const {
  Napi::Value v = At(i, name);
  if (!v.IsNumber()) TypeFail(std::string(name) + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

int64_t Args::Int(size_t i, const char* name, int64_t min, int64_t max) const {
  const double d = Number(i, name);
  if (!(std::fabs(d) <= kMaxSafeInteger) || std::trunc(d) != d) {
    RangeFail(std::string(name) + " must be an integer, got " + std::to_string(d));
  }
  const auto n = static_cast<int64_t>(d);
  if (n < min || n > max) {
    RangeFail(std::string(name) + " must be in " + IntRange(min, max) + ", got " +
              std::to_string(n));
  }
  return n;
}

bool Args::Bool(size_t i, const char* name) const {
  Napi::Value v = At(i, name);
  if (!v.IsBoolean()) TypeFail(std::string(name) + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

Napi::Object Args::Object(size_t i, const char* name) const {
  Napi::Value v = At(i, name);
  if (!v.IsObject()) TypeFail(std::string(name) + " must be an object");
  return v.As<Napi::Object>();
}

int64_t Args::IntField(const Napi::Object& obj, const char* name, const char* key, int64_t min,
                       int64_t max) const {
  Napi::Value v = obj.Get(key);
  const std::string field = std::string(name) + "." + key;
  if (!v.IsNumber()) TypeFail(field + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(std::fabs(d) <= kMaxSafeInteger) || std::trunc(d) != d) {
    RangeFail(field + " must be an integer, got " + std::to_string(d));
  }
  const auto n = static_cast<int64_t>(d);
  if (n < min || n > max) {
    RangeFail(field + " must be in " + IntRange(min, max) + ", got " + std::to_string(n));
  }
  return n;
}

void Args::Length(const char* name, size_t length, int64_t expected,
                  const std::string& what) const {
  if (expected < 0 || length != static_cast<size_t>(expected)) {
    RangeFail(std::string(name) + " has " + std::to_string(length) + " elements, expected " +
              what + " = " + std::to_string(expected));
  }
}

int64_t Args::Product(std::initializer_list<int64_t> dims, const std::string& what) const {
  int64_t p = 1;
  for (int64_t d : dims) {
    if (__builtin_mul_overflow(p, d, &p)) RangeFail(what + " overflows");
  }
  return p;
}

}  // namespace fast_cpu
