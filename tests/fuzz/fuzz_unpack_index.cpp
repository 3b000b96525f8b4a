// Fuzz target for the unpacked-cache index parser (rootfs/unpack.h
// parse_index): arbitrary text gives entries or an Errc::invalid error, never
// a crash; accepted file entries lie inside the data; formatting the entries
// and parsing them again gives the same entries (the format round-trips).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rootfs/unpack.h"

namespace {

bool same(const pare::rootfs::UnpackedEntry& a, const pare::rootfs::UnpackedEntry& b) {
  return a.header.type == b.header.type && a.header.path == b.header.path &&
         a.header.link == b.header.link && a.header.mode == b.header.mode &&
         a.header.uid == b.header.uid && a.header.gid == b.header.gid &&
         a.header.size == b.header.size && a.offset == b.offset;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // The data file's size comes from the first line's length so inputs can
  // explore both sides of the bound.
  uint64_t data_size = text.find('\n') == std::string_view::npos ? size : text.find('\n') * 1000;
  auto r = pare::rootfs::parse_index(text, data_size);
  if (!r.ok()) {
    if (r.error().code() != pare::Errc::invalid) std::abort();
    return 0;
  }
  for (const auto& e : *r) {
    if (e.header.path.empty() || e.header.mode > 07777) std::abort();
    if (e.header.type == pare::oci::EntryType::file &&
        (e.offset > data_size || e.header.size > data_size - e.offset))
      std::abort();
  }
  std::string again = pare::rootfs::format_index(*r);
  auto r2 = pare::rootfs::parse_index(again, data_size);
  if (!r2.ok() || r2->size() != r->size()) std::abort();
  for (size_t i = 0; i < r->size(); ++i)
    if (!same((*r)[i], (*r2)[i])) std::abort();
  return 0;
}
