// Fuzz target: the bounds-checked tar reader (oci/tar.h read_tar) on arbitrary bytes.
#include <cstdint>
#include <string_view>

#include "oci/tar.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view archive(reinterpret_cast<const char*>(data), size);
  auto r = pare::oci::read_tar(archive, [&](const pare::oci::TarHeader& h, std::string_view body) {
    // Invariants: file data is inside the input and matches the header's size;
    // other entries carry no data.
    bool is_file = h.type == pare::oci::EntryType::file;
    if ((is_file && h.size != body.size()) || (!is_file && !body.empty())) __builtin_trap();
    if (!body.empty() && (body.data() < archive.data() ||
                          body.data() + body.size() > archive.data() + archive.size()))
      __builtin_trap();
    if (h.path.empty()) __builtin_trap();
    return pare::Result<void>{};
  });
  (void)r;
  return 0;
}
