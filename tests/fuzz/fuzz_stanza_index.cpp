// Fuzz target for the stanza index (deb/stanza_index.h) over arbitrary
// Packages text: building never fails or reads outside the text; every stanza
// is a piece of the text; its Package name finds it again; the serialized
// index loads back with the same answers; arbitrary bytes given to load() as
// an index are a valid index or Errc::invalid; dependency_names and
// field_value stay inside the stanza.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "deb/stanza_index.h"

namespace {

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void check_index(const pare::deb::StanzaIndex& index, std::string_view text) {
  for (uint32_t i = 0; i < index.size(); ++i) {
    std::string_view stanza = index.stanza(i);
    if (!inside(stanza, text)) std::abort();
    for (std::string_view dep : pare::deb::dependency_names(stanza))
      if (dep.empty() || !inside(dep, stanza)) std::abort();
    if (!inside(pare::deb::field_value(stanza, "Source"), stanza)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto index = pare::deb::StanzaIndex::build(text);
  check_index(index, text);
  for (uint32_t i = 0; i < index.size(); ++i) {
    std::string name(pare::deb::package_name(index.stanza(i)));
    if (name.empty()) std::abort();  // only stanzas with a Package name are indexed
    bool found = false;
    for (uint32_t s : index.lookup(name)) found = found || s == i;
    if (!found) std::abort();
  }
  auto loaded = pare::deb::StanzaIndex::load(index.serialize(), text);
  if (!loaded.ok() || loaded->size() != index.size()) std::abort();
  // The input read as an index of itself: valid or Errc::invalid, never a crash.
  auto odd = pare::deb::StanzaIndex::load(text, text);
  if (!odd.ok() && odd.error().code() != pare::Errc::invalid) std::abort();
  if (odd.ok()) {
    check_index(*odd, text);
    (void)odd->lookup("libc6");
  }
  return 0;
}
