// The progress display: one line redrawn in place on a terminal
// ("fetch  12.3/40.1 MB"), nothing at all when stderr is not a TTY.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "util/progress.h"

namespace pare::cli {

class ProgressLine : public Progress {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled) {}
  void begin(const std::string& stage, uint64_t total, const std::string& unit) override;
  void advance(uint64_t amount) override;
  void end() override;
  // Clear the line before a log message is printed, so they do not mix.
  void clear();

 private:
  void draw(bool force);
  bool enabled_;
  std::mutex mutex_;
  std::string stage_, unit_;
  uint64_t total_ = 0, done_ = 0;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace pare::cli
