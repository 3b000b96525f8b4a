#include "util/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>

namespace pare::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::warn)};
std::mutex g_mutex;
std::function<void(Level, const std::string&)> g_sink;

const char* prefix(Level l) {
  switch (l) {
    case Level::debug:
      return "debug: ";
    case Level::info:
      return "";
    case Level::warn:
      return "warning: ";
    case Level::error:
      return "error: ";
    default:
      return "";
  }
}
}  // namespace

void set_level(Level l) {
  g_level = static_cast<int>(l);
}
Level level() {
  return static_cast<Level>(g_level.load());
}
bool enabled(Level l) {
  return static_cast<int>(l) >= g_level.load();
}

void set_sink(std::function<void(Level, const std::string&)> sink) {
  std::lock_guard lock(g_mutex);
  g_sink = std::move(sink);
}

void write(Level l, const std::string& message) {
  std::lock_guard lock(g_mutex);
  if (g_sink) {
    g_sink(l, message);
    return;
  }
  std::fprintf(stderr, "%s%s\n", prefix(l), message.c_str());
}

void with_stderr_silenced(const std::function<void()>& fn) {
  std::lock_guard lock(g_mutex);  // messages from other threads wait, not vanish
  std::fflush(stderr);
  int saved = ::dup(STDERR_FILENO);
  int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  bool redirected = saved >= 0 && null >= 0 && ::dup2(null, STDERR_FILENO) >= 0;
  if (null >= 0) ::close(null);
  fn();
  if (redirected) {
    std::fflush(stderr);
    ::dup2(saved, STDERR_FILENO);
  }
  if (saved >= 0) ::close(saved);
}

}  // namespace pare::log
