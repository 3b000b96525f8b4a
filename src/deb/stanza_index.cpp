#include "deb/stanza_index.h"

#include <algorithm>
#include <cstring>

#include "deb/deb822.h"
#include "util/checked.h"
#include "util/fs.h"
#include "util/log.h"

namespace pare::deb {

namespace {

constexpr char kMagic[8] = {'P', 'A', 'R', 'E', 'S', 'T', 'Z', '2'};
constexpr size_t kHeaderSize = sizeof(kMagic) + 4 * 4;  // text size (2 words), stanzas, entries
constexpr size_t kEntryBytes = 5 * 4;                   // hash (2 words), name span, stanza

bool is_blank_char(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool ends_name(char c) {
  switch (c) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case '(':
    case ':':
    case '[':
    case '<':
      return true;
    default:
      return false;
  }
}

// FNV-1a: entries are sorted by the hash of their name, so that sorting and
// looking up compare integers, not names scattered over 50 MB of text.
uint64_t name_hash(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return h;
}

// Calls fn(name, raw value) for each field of one stanza; the raw value runs
// from after the ':' to the end of the field's last continuation line.
template <class Fn>
void for_each_field(std::string_view stanza, Fn&& fn) {
  size_t pos = 0;
  while (pos < stanza.size()) {
    size_t eol = std::min(stanza.find('\n', pos), stanza.size());
    std::string_view line = stanza.substr(pos, eol - pos);
    size_t colon = line.find(':');
    if (line.empty() || line[0] == ' ' || line[0] == '\t' || line[0] == '#' ||
        colon == std::string_view::npos) {
      pos = eol + 1;
      continue;
    }
    size_t end = eol;
    while (end + 1 < stanza.size() && (stanza[end + 1] == ' ' || stanza[end + 1] == '\t'))
      end = std::min(stanza.find('\n', end + 1), stanza.size());
    fn(line.substr(0, colon), stanza.substr(pos + colon + 1, end - pos - colon - 1));
    pos = end + 1;
  }
}

// Calls fn(name) for each package name in a relation field's value, split on
// the separators given (",": a list, ",|": a list of alternatives). A name
// ends at whitespace, a version "(", an architecture ":" or a restriction "[<".
template <class Fn>
void for_each_relation_name(std::string_view value, std::string_view separators, Fn&& fn) {
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t end = std::min(value.find_first_of(separators, pos), value.size());
    std::string_view part = value.substr(pos, end - pos);
    size_t first = 0;
    while (first < part.size() && is_blank_char(part[first])) ++first;
    part.remove_prefix(first);
    size_t stop = 0;
    while (stop < part.size() && !ends_name(part[stop])) ++stop;
    if (stop > 0) fn(part.substr(0, stop));
    pos = end + 1;
  }
}

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t get_u32(std::string_view bytes, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  return v;
}

bool span_inside(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

}  // namespace

// One pass over the lines (this runs over 50 MB for bookworm): a field
// matters only if its line starts with 'P' or 'p', and an empty line ends a
// stanza, as in repo_deb.c.
StanzaIndex StanzaIndex::build(std::string_view text) {
  StanzaIndex index;
  index.text_ = text;
  auto span_of = [&](std::string_view part) {
    return Span{static_cast<uint32_t>(part.data() - text.data()),
                static_cast<uint32_t>(part.size())};
  };
  auto line_end = [&](size_t from) {
    const void* nl = std::memchr(text.data() + from, '\n', text.size() - from);
    return nl ? static_cast<size_t>(static_cast<const char*>(nl) - text.data()) : text.size();
  };
  size_t start = 0;  // of the stanza under way
  std::string_view package;
  std::vector<std::string_view> provides;
  auto end_stanza = [&](size_t end) {
    if (!package.empty()) {
      auto id = static_cast<uint32_t>(index.stanzas_.size());
      index.stanzas_.push_back(span_of(text.substr(start, end - start)));
      index.entries_.push_back({name_hash(package), span_of(package), id});
      for (std::string_view p : provides) index.entries_.push_back({name_hash(p), span_of(p), id});
    }
    package = {};
    provides.clear();
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = line_end(pos);
    if (eol == pos) {  // an empty line
      end_stanza(pos);
      start = pos = eol + 1;
      continue;
    }
    char c = text[pos];
    if (c == 'P' || c == 'p') {
      std::string_view line = text.substr(pos, eol - pos);
      bool is_package = line.size() > 7 && line[7] == ':' && iequals(line.substr(0, 7), "Package");
      bool is_provides =
          line.size() > 8 && line[8] == ':' && iequals(line.substr(0, 8), "Provides");
      if (is_package || is_provides) {
        while (eol + 1 < text.size() && (text[eol + 1] == ' ' || text[eol + 1] == '\t'))
          eol = line_end(eol + 1);  // continuation lines
        size_t value = pos + (is_package ? 8 : 9);
        std::string_view v = text.substr(value, eol - value);
        // The last Package field names the stanza, as in repo_deb.c (package_name()).
        if (is_package) {
          package = {};
          for_each_relation_name(v, "", [&](std::string_view n) { package = n; });
        }
        if (is_provides)
          for_each_relation_name(v, ",", [&](std::string_view n) { provides.push_back(n); });
      }
    }
    pos = eol + 1;
  }
  end_stanza(std::min(pos, text.size()));
  std::sort(index.entries_.begin(), index.entries_.end(), [](const Entry& a, const Entry& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.stanza < b.stanza;
  });
  return index;
}

std::string StanzaIndex::serialize() const {
  std::string out(kMagic, sizeof(kMagic));
  uint64_t size = text_.size();
  put_u32(out, static_cast<uint32_t>(size));
  put_u32(out, static_cast<uint32_t>(size >> 32));
  put_u32(out, static_cast<uint32_t>(stanzas_.size()));
  put_u32(out, static_cast<uint32_t>(entries_.size()));
  for (const Span& s : stanzas_) {
    put_u32(out, s.offset);
    put_u32(out, s.length);
  }
  for (const Entry& e : entries_) {
    put_u32(out, static_cast<uint32_t>(e.hash));
    put_u32(out, static_cast<uint32_t>(e.hash >> 32));
    put_u32(out, e.name.offset);
    put_u32(out, e.name.length);
    put_u32(out, e.stanza);
  }
  return out;
}

Result<StanzaIndex> StanzaIndex::load(std::string_view bytes, std::string_view text) {
  auto bad = [](const std::string& why) { return Error(Errc::invalid, "stanza index: " + why); };
  if (bytes.size() < kHeaderSize || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    return bad("not a stanza index (or an older format)");
  uint64_t text_size = get_u32(bytes, 8) | (uint64_t{get_u32(bytes, 12)} << 32);
  if (text_size != text.size())
    return bad("made for a text of " + std::to_string(text_size) + " bytes, not " +
               std::to_string(text.size()));
  uint64_t stanzas = get_u32(bytes, 16), entries = get_u32(bytes, 20);
  if (bytes.size() != kHeaderSize + stanzas * 8 + entries * kEntryBytes)
    return bad("its size does not match its counts");
  StanzaIndex index;
  index.text_ = text;
  index.stanzas_.reserve(stanzas);
  size_t at = kHeaderSize;
  for (uint64_t i = 0; i < stanzas; ++i, at += 8) {
    Span s{get_u32(bytes, at), get_u32(bytes, at + 4)};
    if (s.length == 0 || !span_inside(s.offset, s.length, text.size()))
      return bad("a stanza is empty or lies outside the text");
    index.stanzas_.push_back(s);
  }
  index.entries_.reserve(entries);
  for (uint64_t i = 0; i < entries; ++i, at += kEntryBytes) {
    Entry e{get_u32(bytes, at) | (uint64_t{get_u32(bytes, at + 4)} << 32),
            {get_u32(bytes, at + 8), get_u32(bytes, at + 12)},
            get_u32(bytes, at + 16)};
    if (!span_inside(e.name.offset, e.name.length, text.size()) || e.stanza >= stanzas)
      return bad("a name lies outside the text or names no stanza");
    index.entries_.push_back(e);
  }
  return index;
}

std::string_view StanzaIndex::stanza(uint32_t i) const {
  const Span& s = stanzas_.at(i);
  return text_.substr(s.offset, s.length);
}

std::vector<uint32_t> StanzaIndex::lookup(std::string_view name) const {
  uint64_t hash = name_hash(name);
  auto first = std::lower_bound(entries_.begin(), entries_.end(), hash,
                                [](const Entry& e, uint64_t h) { return e.hash < h; });
  std::vector<uint32_t> out;
  for (auto it = first; it != entries_.end() && it->hash == hash; ++it)
    if (name_of(*it) == name && (out.empty() || out.back() != it->stanza))
      out.push_back(it->stanza);
  return out;
}

void StanzaIndex::for_each_package_name(const std::function<void(std::string_view)>& fn) const {
  for (uint32_t i = 0; i < stanzas_.size(); ++i)
    if (std::string_view name = package_name(stanza(i)); !name.empty()) fn(name);
}

std::string_view package_name(std::string_view stanza) {
  std::string_view out;
  for_each_field(stanza, [&](std::string_view name, std::string_view value) {
    if (!iequals(name, "Package")) return;
    out = {};
    for_each_relation_name(value, "", [&](std::string_view n) { out = n; });
  });
  return out;
}

std::vector<std::string_view> dependency_names(std::string_view stanza) {
  std::vector<std::string_view> out;
  for_each_field(stanza, [&](std::string_view name, std::string_view value) {
    if (iequals(name, "Depends") || iequals(name, "Pre-Depends"))
      for_each_relation_name(value, ",|", [&](std::string_view n) { out.push_back(n); });
  });
  return out;
}

std::string_view field_value(std::string_view stanza, std::string_view name) {
  std::string_view out;
  bool found = false;
  for_each_field(stanza, [&](std::string_view field, std::string_view value) {
    if (found || !iequals(field, name)) return;
    found = true;
    size_t first = 0, last = value.size();
    while (first < last && is_blank_char(value[first])) ++first;
    while (last > first && is_blank_char(value[last - 1])) --last;
    out = value.substr(first, last - first);
  });
  return out;
}

// Bumped whenever the stanza index's meaning changes (the file format has its own magic).
constexpr int kStanzaCacheFormat = 2;  // 2: a checked record (util/checked.h)

std::filesystem::path stanza_cache_file(const std::filesystem::path& dir,
                                        std::string_view text_sha256) {
  return dir / (std::string(text_sha256) + "-" + std::to_string(kStanzaCacheFormat) + ".stanzas");
}

void cache_stanza_index(const std::filesystem::path& dir, std::string_view text_sha256,
                        std::string_view serialized) {
  auto written = fs::write_checked(stanza_cache_file(dir, text_sha256), serialized);
  if (!written.ok()) {
    PARE_LOG(debug) << "not caching the stanza index: " << written.error().message();
  }
}

}  // namespace pare::deb
