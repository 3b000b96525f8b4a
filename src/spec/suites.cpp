#include "spec/suites.h"

#include <algorithm>
#include <cctype>

namespace pare::spec {

const std::vector<SuiteInfo>& supported_suites() {
  // Architectures per release as listed in each release's Release file (mips* left trixie).
  static const std::vector<SuiteInfo> suites = {
      {"bookworm",
       "12",
       {"amd64", "arm64", "armel", "armhf", "i386", "mips64el", "mipsel", "ppc64el", "s390x"}},
      {"trixie", "13", {"amd64", "arm64", "armel", "armhf", "i386", "ppc64el", "riscv64", "s390x"}},
  };
  return suites;
}

const SuiteInfo* find_suite(std::string_view codename) {
  for (const auto& s : supported_suites())
    if (s.codename == codename) return &s;
  return nullptr;
}

std::string supported_suites_text() {
  std::string out;
  for (const auto& s : supported_suites()) {
    if (!out.empty()) out += ", ";
    out += std::string(s.codename) + " (" + std::string(s.version) + ")";
  }
  return out;
}

namespace {
std::vector<std::string_view> all_archs() {
  std::vector<std::string_view> out;
  for (const auto& s : supported_suites())
    for (auto a : s.archs)
      if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

bool is_known_arch(std::string_view arch) {
  static const auto archs = all_archs();
  return std::find(archs.begin(), archs.end(), arch) != archs.end();
}

std::string known_archs_text() {
  std::string out;
  for (auto a : all_archs()) {
    if (!out.empty()) out += ", ";
    out += a;
  }
  return out;
}

std::optional<OciPlatform> oci_platform(std::string_view arch) {
  // The OCI image-index platform names (Go's GOARCH plus the ARM variant).
  struct Row {
    std::string_view debian, oci, variant;
  };
  static const Row rows[] = {
      {"amd64", "amd64", ""},   {"arm64", "arm64", "v8"},   {"armel", "arm", "v5"},
      {"armhf", "arm", "v7"},   {"i386", "386", ""},        {"mips64el", "mips64le", ""},
      {"mipsel", "mipsle", ""}, {"ppc64el", "ppc64le", ""}, {"riscv64", "riscv64", ""},
      {"s390x", "s390x", ""},
  };
  for (const auto& r : rows)
    if (r.debian == arch) return OciPlatform{std::string(r.oci), std::string(r.variant)};
  return std::nullopt;
}

bool is_valid_package_name(std::string_view name) {
  if (name.size() < 2 || name.size() > 255) return false;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_or_digit(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return lower_or_digit(c) || c == '+' || c == '-' || c == '.'; });
}

namespace {
bool version_chars_ok(std::string_view s, std::string_view extra) {
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '+' || c == '~' ||
           extra.find(c) != std::string_view::npos;
  });
}
bool fail(std::string* why, const char* text) {
  if (why) *why = text;
  return false;
}
}  // namespace

bool is_valid_version(std::string_view v, std::string* why) {
  if (v.empty()) return fail(why, "the version is empty");
  if (v.size() > 255) return fail(why, "the version is longer than 255 characters");
  bool has_epoch = false;
  if (auto colon = v.find(':'); colon != std::string_view::npos) {
    auto epoch = v.substr(0, colon);
    if (epoch.empty() || epoch.size() > 9 ||
        !std::all_of(epoch.begin(), epoch.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return fail(why, "the epoch (before ':') must be a number");
    v.remove_prefix(colon + 1);
    has_epoch = true;
  }
  std::string_view upstream = v, revision;
  if (auto dash = v.rfind('-'); dash != std::string_view::npos) {
    upstream = v.substr(0, dash);
    revision = v.substr(dash + 1);
    if (revision.empty()) return fail(why, "the revision (after the last '-') is empty");
    if (!version_chars_ok(revision, ""))
      return fail(why, "the revision may only hold letters, digits and . + ~");
  }
  if (upstream.empty() || !(upstream[0] >= '0' && upstream[0] <= '9'))
    return fail(why, "the upstream version must start with a digit");
  if (!version_chars_ok(upstream, has_epoch ? "-:" : "-"))
    return fail(
        why, "the upstream version may only hold letters, digits and . + ~ - (: after an epoch)");
  return true;
}

}  // namespace pare::spec
