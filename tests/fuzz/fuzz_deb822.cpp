// Fuzz target for the deb822 control-file parser (deb/deb822.h): arbitrary
// bytes give paragraphs or an Errc::invalid error, never a crash; the
// streaming and the collecting forms agree; every paragraph has fields, every
// field a valid name and a line inside the text; find() finds every field.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "deb/deb822.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto all = pare::deb::parse_deb822(text, "fuzz");
  size_t streamed = 0;
  auto each = pare::deb::for_each_paragraph(text, "fuzz", [&](const pare::deb::Paragraph&) {
    ++streamed;
    return pare::Result<void>();
  });
  if (all.ok() != each.ok()) std::abort();
  if (!all.ok()) {
    if (all.error().code() != pare::Errc::invalid) std::abort();
    return 0;
  }
  if (all->size() != streamed) std::abort();
  const long lines = static_cast<long>(size) + 1;
  for (const auto& p : *all) {
    if (p.fields.empty() || p.line < 1 || p.line > lines) std::abort();
    for (const auto& f : p.fields) {
      if (f.name.empty() || f.name.find(':') != std::string::npos) std::abort();
      if (f.line < p.line || f.line > lines) std::abort();
      if (p.find(f.name) != &f) std::abort();  // names are unique per paragraph
    }
  }
  return 0;
}
