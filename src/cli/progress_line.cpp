#include "cli/progress_line.h"

#include <sys/ioctl.h>
#include <unistd.h>

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

void ProgressLine::item(const std::string& name, uint64_t done, uint64_t total) {
  std::lock_guard lock(mutex_);
  items_[name] = {done, total};
  draw(false);
}

void ProgressLine::item_end(const std::string& name) {
  std::lock_guard lock(mutex_);
  items_.erase(name);
  draw(false);
}

void ProgressLine::end() {
  std::lock_guard lock(mutex_);
  items_.clear();
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
  size_t shown = 0;
  for (const auto& [name, dt] : items_) {
    if (shown++ == 3) {
      text += " +" + std::to_string(items_.size() - 3) + " more";
      break;
    }
    text += "  [" + name + " " + amount(dt.first, "B") + "/" + amount(dt.second, "B") + "]";
  }
  // One line only: cut to the terminal's width, so a redraw never wraps.
  struct winsize ws {};
  if (::ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && text.size() >= ws.ws_col)
    text.resize(ws.ws_col - 1);
  std::fprintf(stderr, "\r\033[K%s", text.c_str());
  std::fflush(stderr);
  shown_ = true;
}

}  // namespace pare::cli
