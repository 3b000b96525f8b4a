// The one logger. The library logs through it; main() decides the level and
// whether anything reaches stderr. Messages are built with ostream syntax:
//   PARE_LOG(info) << "fetched " << n << " packages";
#pragma once

#include <functional>
#include <sstream>
#include <string>

namespace pare::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3, quiet = 4 };

void set_level(Level level);
Level level();
bool enabled(Level level);
// Replace the sink (tests capture messages; the CLI coordinates with the progress line).
void set_sink(std::function<void(Level, const std::string&)> sink);
void write(Level level, const std::string& message);
// Runs fn with file descriptor 2 pointed at /dev/null, for a library that
// prints its own diagnostics to stderr (librnp on a bad signature) where pare
// reports the failure itself. The logger is locked meanwhile: fn must not log.
void with_stderr_silenced(const std::function<void()>& fn);

class Line {
 public:
  explicit Line(Level l) : level_(l) {}
  ~Line() { write(level_, out_.str()); }
  template <class T>
  Line& operator<<(const T& v) {
    out_ << v;
    return *this;
  }

 private:
  Level level_;
  std::ostringstream out_;
};

}  // namespace pare::log

#define PARE_LOG(lvl)                                   \
  if (!::pare::log::enabled(::pare::log::Level::lvl)) { \
  } else                                                \
    ::pare::log::Line(::pare::log::Level::lvl)
