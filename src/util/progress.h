// Progress reporting for long stages. The library reports; the CLI decides how
// (a redrawn line on a TTY, nothing otherwise). Implementations must be thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace pare {

class Progress {
 public:
  virtual ~Progress() = default;
  // Start a stage ("fetch", "unpack", "layers"); total is in `unit`s, 0 if unknown.
  virtual void begin(const std::string& stage, uint64_t total, const std::string& unit) = 0;
  virtual void advance(uint64_t amount) = 0;
  virtual void end() = 0;
  // Transfers running side by side within the stage (the blobs of a push or pull): `done` of
  // `total` bytes of `item` so far; item_end once it finished. The default shows nothing.
  virtual void item(const std::string& name, uint64_t done, uint64_t total) {
    (void)name;
    (void)done;
    (void)total;
  }
  virtual void item_end(const std::string& name) { (void)name; }
};

// Reports nothing. The default everywhere a Progress* may be null.
class NullProgress : public Progress {
 public:
  void begin(const std::string&, uint64_t, const std::string&) override {}
  void advance(uint64_t) override {}
  void end() override {}
};

Progress& null_progress();

}  // namespace pare
