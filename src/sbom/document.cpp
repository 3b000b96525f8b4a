// purls and licence expressions shared by the SPDX and CycloneDX writers.
#include <cctype>

#include "sbom/document.h"
#include "util/http.h"
#include "util/sha256.h"

namespace pare::sbom {

std::string spdx_id(std::string_view kind, std::string_view name, std::string_view unique) {
  std::string id = "SPDXRef-" + std::string(kind) + "-";
  for (char c : name) id += (std::isalnum(static_cast<unsigned char>(c)) || c == '.') ? c : '-';
  return id + "-" + sha256_hex(unique).substr(0, 8);
}

std::string name_based_uuid(const std::string& bytes) {
  std::string h = sha256_hex(bytes).substr(0, 32);
  h[12] = '5';
  h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

std::string fill_derived_field(std::string text, std::string_view key, std::string_view prefix,
                               std::string_view value) {
  std::string needle = "\"" + std::string(key) + "\": \"" + std::string(prefix);
  size_t at = text.find(needle + std::string(kDerivedPlaceholder) + "\"");
  if (at != std::string::npos) text.replace(at + needle.size(), kDerivedPlaceholder.size(), value);
  return text;
}

std::string purl_encode(std::string_view text) {
  return http::percent_encode(text);
}

std::string package_purl(const PackageRecord& p, const OsInfo& os) {
  if (p.kind == PackageKind::apk) {
    std::string purl =
        "pkg:apk/" + purl_encode(os.id) + "/" + purl_encode(p.name) + "@" + purl_encode(p.version);
    if (!p.arch.empty()) purl += "?arch=" + purl_encode(p.arch);
    return purl;
  }
  // Qualifiers in sorted order: arch, distro, upstream.
  std::string purl = "pkg:deb/debian/" + purl_encode(p.name) + "@" + purl_encode(p.version);
  std::vector<std::string> q;
  if (!p.arch.empty()) q.push_back("arch=" + purl_encode(p.arch));
  std::string distro = os.id + "-" + (os.version.empty() ? os.version_id : os.version);
  if (!os.version_id.empty() || !os.version.empty()) q.push_back("distro=" + purl_encode(distro));
  bool same_source = p.source.empty() || (p.source == p.name && p.source_version == p.version);
  if (!same_source) {
    std::string upstream = p.source;
    if (!p.source_version.empty() && p.source_version != p.version)
      upstream += "@" + p.source_version;
    q.push_back("upstream=" + purl_encode(upstream));
  }
  for (size_t i = 0; i < q.size(); ++i) purl += (i == 0 ? "?" : "&") + q[i];
  return purl;
}

std::string oci_purl(const std::string& name, const std::string& digest, const std::string& arch) {
  std::string repo = name.substr(0, name.find(':'));
  std::string purl = "pkg:oci/" + purl_encode(repo) + "@" + purl_encode(digest);
  if (!arch.empty()) purl += "?arch=" + purl_encode(arch);
  return purl;
}

std::string spdx_expression(std::string_view text) {
  // Debian writes "A or B", "A and B", and sometimes "A, and B" (copyright-format 1.0,
  // "License specification"): each name is mapped, the operators become SPDX's; an operator
  // with no licence on one side of it is dropped.
  std::vector<std::string> tokens;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    bool op = word == "or" || word == "OR" || word == "and" || word == "AND" || word == "with" ||
              word == "WITH";
    if (op) {
      std::string upper;
      for (char c : word) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (!tokens.empty() && tokens.back().front() != ' ') tokens.push_back(" " + upper + " ");
    } else {
      tokens.push_back(spdx_license_id(word));
    }
    word.clear();
  };
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == ',' || c == '(' || c == ')')
      flush();
    else
      word += c;
  }
  flush();
  if (!tokens.empty() && tokens.back().front() == ' ') tokens.pop_back();
  std::string out;
  for (const auto& t : tokens) out += t;
  return out;
}

}  // namespace pare::sbom
