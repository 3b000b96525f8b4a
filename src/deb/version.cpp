#include "deb/version.h"

namespace pare::deb {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

struct Parts {
  std::string_view epoch;  // digits, empty if absent (= 0)
  std::string_view upstream;
  std::string_view revision;  // empty if absent (compares as "0")
  bool has_epoch = false;
  bool has_revision = false;
};

// Split like dpkg's parseversion: the epoch ends at the first ':', the
// revision starts after the last '-'.
Parts split(std::string_view v) {
  Parts p;
  size_t colon = v.find(':');
  if (colon != std::string_view::npos) {
    p.epoch = v.substr(0, colon);
    p.has_epoch = true;
    v.remove_prefix(colon + 1);
  }
  size_t dash = v.rfind('-');
  if (dash != std::string_view::npos) {
    p.revision = v.substr(dash + 1);
    p.has_revision = true;
    v = v.substr(0, dash);
  }
  p.upstream = v;
  return p;
}

// Weight of a character inside a non-digit run; 0 stands for "end of run".
int order(char c) {
  if (is_digit(c)) return 0;
  if (is_alpha(c)) return static_cast<unsigned char>(c);
  if (c == '~') return -1;
  return static_cast<unsigned char>(c) + 256;
}

// Compare two digit strings numerically, any length.
int compare_numbers(std::string_view a, std::string_view b) {
  while (!a.empty() && a.front() == '0') a.remove_prefix(1);
  while (!b.empty() && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::string_view take_digits(std::string_view s, size_t& i) {
  size_t start = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  return s.substr(start, i - start);
}

// dpkg's verrevcmp.
int compare_part(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    while ((i < a.size() && !is_digit(a[i])) || (j < b.size() && !is_digit(b[j]))) {
      int ac = i < a.size() ? order(a[i]) : 0;
      int bc = j < b.size() ? order(b[j]) : 0;
      if (ac != bc) return ac < bc ? -1 : 1;
      ++i;
      ++j;
    }
    int c = compare_numbers(take_digits(a, i), take_digits(b, j));
    if (c != 0) return c;
  }
  return 0;
}

bool all_of(std::string_view s, bool (*ok)(char)) {
  for (char c : s)
    if (!ok(c)) return false;
  return true;
}

bool upstream_char(char c) {
  return is_digit(c) || is_alpha(c) || c == '.' || c == '+' || c == '~' || c == '-' || c == ':';
}
bool revision_char(char c) {
  return is_digit(c) || is_alpha(c) || c == '.' || c == '+' || c == '~';
}

}  // namespace

int compare_versions(std::string_view a, std::string_view b) {
  Parts pa = split(a), pb = split(b);
  if (int c = compare_numbers(pa.epoch, pb.epoch)) return c;
  if (int c = compare_part(pa.upstream, pb.upstream)) return c;
  return compare_part(pa.revision, pb.revision);
}

bool is_valid_version(std::string_view v) {
  Parts p = split(v);
  if (p.has_epoch && (p.epoch.empty() || !all_of(p.epoch, is_digit))) return false;
  if (p.upstream.empty() || !is_digit(p.upstream.front())) return false;
  if (!all_of(p.upstream, upstream_char)) return false;
  if (p.has_revision && (p.revision.empty() || !all_of(p.revision, revision_char))) return false;
  return true;
}

}  // namespace pare::deb
