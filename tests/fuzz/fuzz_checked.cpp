// Fuzz target for the checked cache records (util/checked.h): arbitrary bytes
// are a record's payload or nothing, never a crash; whatever is accepted hashes
// to its header, and a payload made into a record reads back as itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "util/checked.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto payload = pare::fs::checked_payload(bytes)) {
    if (pare::fs::checked_record(*payload) != bytes) std::abort();
  }
  std::string record = pare::fs::checked_record(bytes);
  auto back = pare::fs::checked_payload(record);
  if (!back || *back != bytes) std::abort();
  // Any one flipped bit makes it no record.
  if (!record.empty()) {
    record[record.size() / 2] ^= 1;
    if (pare::fs::checked_payload(record)) std::abort();
  }
  return 0;
}
