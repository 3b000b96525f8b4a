// An index of a Packages file's stanzas by the names they answer to, so that
// the resolver hands libsolv only the stanzas a request can reach (a few
// hundred of bookworm's 63 000; see resolver.cpp) instead of parsing the
// whole 50 MB file or loading a .solv of all of it on every run.
//
// Packages is deb822 (Debian Policy 5.1, 5.3): one stanza per binary package.
// Stanzas end at an empty line, exactly as libsolv's parser (repo_deb.c) splits
// them, so that a stanza cut out here is one solvable there. A stanza answers
// to its Package name and to each name in its Provides. Field names are
// case-insensitive; a line starting with a space or tab continues a field.
//
// The index is two tables: stanzas (offset and length in the text) and
// (name, stanza) entries sorted by a hash of the name, where a name is an
// offset and length in the text (a lookup checks the name itself). It is kept in the cache as
// little-endian uint32s (serialize), and read back by copying and bounds-checking, never by parsing
// (load).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pare::deb {

class StanzaIndex {
 public:
  // Scan a Packages text. Never fails: a stanza without a Package field, and
  // lines that are not fields, are left out.
  static StanzaIndex build(std::string_view text);
  // An index written by serialize() for this same text. Anything that does
  // not fit the text (size, offsets, lengths) is Errc::invalid.
  static Result<StanzaIndex> load(std::string_view bytes, std::string_view text);
  std::string serialize() const;

  size_t size() const { return stanzas_.size(); }
  // Stanza i's text, without the empty line that ends it.
  std::string_view stanza(uint32_t i) const;
  // The stanzas that answer to `name` (as Package or in Provides), ascending, no repeats.
  std::vector<uint32_t> lookup(std::string_view name) const;
  // Every stanza's Package name, in file order (names may repeat).
  void for_each_package_name(const std::function<void(std::string_view)>& fn) const;

 private:
  struct Span {
    uint32_t offset, length;
  };
  struct Entry {
    uint64_t hash;  // of the name
    Span name;
    uint32_t stanza;
  };
  std::string_view name_of(const Entry& e) const {
    return text_.substr(e.name.offset, e.name.length);
  }

  std::string_view text_;
  std::vector<Span> stanzas_;
  std::vector<Entry> entries_;  // sorted by hash, then stanza
};

// Where the stanza index of the Packages text with this SHA-256 is cached
// under `dir` (stanza_cache_dir() of the cache directory): the index fetcher writes it
// when it fetches a Packages file, the resolver reads it (or builds and writes
// it when absent).
std::filesystem::path stanza_cache_file(const std::filesystem::path& dir,
                                        std::string_view text_sha256);
inline std::filesystem::path stanza_cache_dir(const std::filesystem::path& cache_dir) {
  return cache_dir / "stanzas";
}
// Writes a serialized index there (atomically). The cache is an optimisation:
// a failure is logged at debug level and the index rebuilt next time.
void cache_stanza_index(const std::filesystem::path& dir, std::string_view text_sha256,
                        std::string_view serialized);

// The package names a stanza depends on: every alternative of its Depends and
// Pre-Depends, without version constraints or architecture qualifiers
// ("libc6 (>= 2.34), python3:any | foo" gives libc6, python3, foo).
std::vector<std::string_view> dependency_names(std::string_view stanza);

// The name a stanza answers to as a package: its last Package field's first
// word (a repeated field overrides, as in repo_deb.c); "" when there is none.
std::string_view package_name(std::string_view stanza);

// The value of a stanza's first field called `name` (case-insensitive), with
// surrounding whitespace dropped; "" when there is none.
std::string_view field_value(std::string_view stanza, std::string_view name);

}  // namespace pare::deb
