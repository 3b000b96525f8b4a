// The progress display: one line redrawn in place on a terminal
// ("fetch  12.3/40.1 MB"), nothing at all when stderr is not a TTY.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
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
  // Shown on the same line after the stage: "[a1b2c3d4e5f6 5.1/18.7 MB]", at most three, then
  // "+N more".
  void item(const std::string& name, uint64_t done, uint64_t total) override;
  void item_end(const std::string& name) override;
  // Clear the line before a log message is printed, so they do not mix.
  void clear();

 private:
  void draw(bool force);
  bool enabled_;
  std::mutex mutex_;
  std::string stage_, unit_;
  uint64_t total_ = 0, done_ = 0;
  std::map<std::string, std::pair<uint64_t, uint64_t>> items_;  // name -> done, total
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace pare::cli
