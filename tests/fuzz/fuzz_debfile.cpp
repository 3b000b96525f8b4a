// Fuzz target for the .deb reader (deb/debfile.h): arbitrary bytes give a
// control block or an Errc::invalid / Errc::unsupported error, never a crash;
// every data entry handed out has a normalised, root-relative path (no "..",
// no leading '/'), permission bits only, and non-files carry no bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "deb/debfile.h"

namespace {

bool normalised(const std::string& path) {
  auto n = pare::deb::normalize_member_path(path);
  return n.ok() && *n == path && !path.empty();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using pare::oci::EntryType;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto r = pare::deb::read_deb_memory(
      bytes, "fuzz.deb",
      [](const pare::oci::TarHeader& h, pare::deb::EntryReader& reader) -> pare::Result<void> {
        if (!normalised(h.path)) std::abort();
        if (h.type == EntryType::hardlink && !normalised(h.link)) std::abort();
        if (h.mode > 07777) std::abort();
        if (h.type != EntryType::file && h.type != EntryType::hardlink && h.size != 0) std::abort();
        uint64_t got = 0;
        for (;;) {
          PARE_TRY(std::string_view piece, reader.next());
          if (piece.empty()) break;
          got += piece.size();
          if (h.type == EntryType::file && got > h.size) std::abort();  // never past the entry
        }
        return {};
      });
  if (!r.ok()) {
    auto c = r.error().code();
    if (c != pare::Errc::invalid && c != pare::Errc::unsupported) std::abort();
    return 0;
  }
  if (r->control.empty()) std::abort();  // a package always has its control file
  return 0;
}
