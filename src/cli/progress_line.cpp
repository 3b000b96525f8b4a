#include "cli/progress_line.h"

#include <cstdio>

namespace pare::cli {

namespace {
std::string amount(uint64_t n, const std::string& unit) {
  char buf[64];
  if (unit == "B") {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(n) / 1e6);
    return buf;
  }
  return std::to_string(n);
}
}  // namespace

void ProgressLine::begin(const std::string& stage, uint64_t total, const std::string& unit) {
  std::lock_guard lock(mutex_);
  stage_ = stage;
  unit_ = unit;
  total_ = total;
  done_ = 0;
  draw(true);
}

void ProgressLine::advance(uint64_t amount) {
  std::lock_guard lock(mutex_);
  done_ += amount;
  draw(false);
}

void ProgressLine::end() {
  std::lock_guard lock(mutex_);
  if (enabled_ && shown_) std::fputs("\r\033[K", stderr);
  shown_ = false;
}

void ProgressLine::clear() {
  std::lock_guard lock(mutex_);
  if (enabled_ && shown_) std::fputs("\r\033[K", stderr);
  shown_ = false;
}

void ProgressLine::draw(bool force) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  std::string text = stage_ + "  " + amount(done_, unit_);
  if (total_) text += " / " + amount(total_, unit_);
  if (unit_ != "B") text += " " + unit_;
  std::fprintf(stderr, "\r\033[K%s", text.c_str());
  std::fflush(stderr);
  shown_ = true;
}

}  // namespace pare::cli
