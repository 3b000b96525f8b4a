// Fuzzes the lockfile reader. Property: whatever it accepts, lockfile_json writes back as text
// that reads again to the same lockfile.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "spec/lockfile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pare;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto lock = spec::parse_lockfile(text, "fuzz.lock.json");
  if (!lock) return 0;
  std::string once = spec::lockfile_json(*lock);
  auto again = spec::parse_lockfile(once, "again.lock.json");
  if (!again || spec::lockfile_json(*again) != once) std::abort();
  return 0;
}
