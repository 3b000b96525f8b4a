// The one error type of pare, and Result<T>, an expected-style return value.
//
// Rule (as in ccache): low-level code returns Result<T>; nothing below the CLI
// prints. Higher-level orchestration may call .value() which throws the Error,
// and exactly one catch in main() turns it into a message and an exit code.
#pragma once

#include <exception>
#include <string>
#include <utility>
#include <variant>

namespace pare {

enum class Errc {
  invalid,      // bad input: spec, command line, a file of the wrong form
  not_found,    // a file, package or key that should be there is not
  io,           // the filesystem said no
  network,      // HTTP / transport failure (possibly transient)
  integrity,    // a hash or size did not match what a signed index says
  signature,    // an OpenPGP signature did not verify
  resolve,      // the package set cannot be satisfied
  offline,      // --offline and something is not in the cache
  unsupported,  // a real but unhandled case
  internal,     // a bug in pare
};

const char* errc_name(Errc c);

class Error : public std::exception {
 public:
  Error(Errc code, std::string message) : code_(code), message_(std::move(message)) {}
  Errc code() const { return code_; }
  const std::string& message() const { return message_; }
  const char* what() const noexcept override { return message_.c_str(); }
  // Prefix context: Error("x").context("reading foo") -> "reading foo: x".
  Error context(const std::string& where) const& { return Error(code_, where + ": " + message_); }
  // Exit code main() uses for this error class.
  int exit_code() const;

 private:
  Errc code_;
  std::string message_;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return std::get<1>(v_); }

  // Throws the Error when there is no value (used by orchestration code).
  T& value() & {
    if (!ok()) throw std::get<1>(v_);
    return std::get<0>(v_);
  }
  T&& value() && {
    if (!ok()) throw std::get<1>(v_);
    return std::get<0>(std::move(v_));
  }
  const T& value() const& {
    if (!ok()) throw std::get<1>(v_);
    return std::get<0>(v_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : err_(std::move(error)), ok_(false) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return err_; }
  void value() const {
    if (!ok_) throw err_;
  }

 private:
  Error err_{Errc::internal, ""};
  bool ok_ = true;
};

inline Error make_error(Errc c, std::string msg) {
  return Error(c, std::move(msg));
}

}  // namespace pare

// PARE_TRY(auto x, expr): evaluate expr (a Result); on error return it.
#define PARE_CONCAT_(a, b) a##b
#define PARE_CONCAT(a, b) PARE_CONCAT_(a, b)
#define PARE_TRY(decl, expr) PARE_TRY_N(__COUNTER__, decl, expr)
#define PARE_TRY_N(n, decl, expr) PARE_TRY_IMPL(PARE_CONCAT(pare_try_, n), decl, expr)
#define PARE_TRY_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                   \
  if (!tmp.ok()) return tmp.error();   \
  decl = std::move(tmp.value())
// PARE_CHECK(expr): for Result<void>.
#define PARE_CHECK(expr)                                   \
  do {                                                     \
    auto pare_check_r_ = (expr);                           \
    if (!pare_check_r_.ok()) return pare_check_r_.error(); \
  } while (0)
