#include "sbom/packages.h"

#include <algorithm>
#include <map>
#include <set>

#include "deb/deb822.h"

namespace pare::sbom {

namespace {

constexpr size_t kMaxDatabaseBytes = size_t{256} << 20;

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

void parse_source_field(std::string_view value, std::string& name, std::string& version) {
  std::string v = trim(value);
  auto paren = v.find('(');
  if (paren == std::string::npos) {
    name = v;
    version.clear();
    return;
  }
  name = trim(std::string_view(v).substr(0, paren));
  auto close = v.find(')', paren);
  version = trim(std::string_view(v).substr(
      paren + 1, close == std::string::npos ? std::string::npos : close - paren - 1));
}

Result<std::vector<PackageRecord>> parse_dpkg_records(std::string_view text,
                                                      std::string_view source_name) {
  if (text.size() > kMaxDatabaseBytes)
    return Error(Errc::invalid, std::string(source_name) + ": larger than 256 MiB");
  std::vector<PackageRecord> out;
  PARE_CHECK(
      deb::for_each_paragraph(text, source_name, [&](const deb::Paragraph& p) -> Result<void> {
        std::string status = p.get("Status", "install ok installed");
        if (status.find("not-installed") != std::string::npos ||
            status.find("config-files") != std::string::npos)
          return {};
        PackageRecord r;
        r.name = p.get("Package");
        if (r.name.empty()) return {};
        r.version = p.get("Version");
        r.arch = p.get("Architecture");
        r.maintainer = p.get("Maintainer");
        parse_source_field(p.get("Source"), r.source, r.source_version);
        if (r.source.empty()) r.source = r.name;
        if (r.source_version.empty()) r.source_version = r.version;
        out.push_back(std::move(r));
        return {};
      }));
  return out;
}

Result<std::vector<PackageRecord>> parse_apk_installed(std::string_view text,
                                                       std::string_view source_name) {
  if (text.size() > kMaxDatabaseBytes)
    return Error(Errc::invalid, std::string(source_name) + ": larger than 256 MiB");
  std::vector<PackageRecord> out;
  PackageRecord cur;
  cur.kind = PackageKind::apk;
  auto flush = [&] {
    if (!cur.name.empty()) {
      if (cur.source.empty()) cur.source = cur.name;
      if (cur.source_version.empty()) cur.source_version = cur.version;
      out.push_back(std::move(cur));
    }
    cur = PackageRecord{};
    cur.kind = PackageKind::apk;
  };
  // apk's database: "X:value" lines, a blank line between packages (apk-tools, database.c).
  size_t line_no = 0;
  for (size_t start = 0; start < text.size();) {
    size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? nl : nl - start);
    start = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      flush();
      continue;
    }
    if (line.size() < 2 || line[1] != ':')
      return Error(Errc::invalid, std::string(source_name) + ":" + std::to_string(line_no) +
                                      ": expected 'X:value'");
    std::string value(line.substr(2));
    switch (line[0]) {
      case 'P':
        cur.name = value;
        break;
      case 'V':
        cur.version = value;
        break;
      case 'A':
        cur.arch = value;
        break;
      case 'o':
        cur.source = value;
        break;
      case 'm':
        cur.maintainer = value;
        break;
      case 'L':
        if (!value.empty()) cur.licenses = {value};
        break;
      default:
        break;
    }
  }
  flush();
  return out;
}

std::optional<std::vector<std::string>> dep5_licenses(std::string_view text) {
  if (text.size() > kMaxDatabaseBytes) return std::nullopt;
  std::vector<deb::Paragraph> paragraphs;
  auto parsed = deb::parse_deb822(text, "copyright");
  if (!parsed.ok() || parsed->empty()) return std::nullopt;
  const deb::Paragraph& header = parsed->front();
  std::string format = header.get("Format");
  if (format.find("copyright-format") == std::string::npos &&
      format.find("dep5") == std::string::npos)
    return std::nullopt;
  std::set<std::string> names;
  for (const auto& p : *parsed) {
    std::string license = p.get("License");
    if (license.empty() || !p.find("Files")) continue;  // stand-alone License: texts name none new
    std::string first = trim(license.substr(0, license.find('\n')));
    if (!first.empty()) names.insert(first);
  }
  if (names.empty()) return std::nullopt;
  return std::vector<std::string>(names.begin(), names.end());
}

std::string spdx_license_id(std::string_view name) {
  static const std::map<std::string, std::string, std::less<>> kKnown = {
      {"GPL-2", "GPL-2.0-only"},
      {"GPL-2+", "GPL-2.0-or-later"},
      {"GPL-3", "GPL-3.0-only"},
      {"GPL-3+", "GPL-3.0-or-later"},
      {"LGPL-2", "LGPL-2.0-only"},
      {"LGPL-2+", "LGPL-2.0-or-later"},
      {"LGPL-2.1", "LGPL-2.1-only"},
      {"LGPL-2.1+", "LGPL-2.1-or-later"},
      {"LGPL-3", "LGPL-3.0-only"},
      {"LGPL-3+", "LGPL-3.0-or-later"},
      {"AGPL-3", "AGPL-3.0-only"},
      {"AGPL-3+", "AGPL-3.0-or-later"},
      {"Expat", "MIT"},
      {"BSD-2-clause", "BSD-2-Clause"},
      {"BSD-3-clause", "BSD-3-Clause"},
      {"BSD-4-clause", "BSD-4-Clause"},
      {"Apache-2.0", "Apache-2.0"},
      {"Apache-2", "Apache-2.0"},
      {"MIT", "MIT"},
      {"ISC", "ISC"},
      {"Zlib", "Zlib"},
      {"zlib", "Zlib"},
      {"MPL-2.0", "MPL-2.0"},
      {"public-domain", "LicenseRef-public-domain"},
      {"Artistic", "Artistic-1.0-Perl"},
      {"PSF-2", "PSF-2.0"},
      {"OpenSSL", "OpenSSL"},
      {"curl", "curl"},
      {"X11", "X11"},
      {"CC0-1.0", "CC0-1.0"},
      {"GFDL-1.3+", "GFDL-1.3-or-later"},
      {"Unicode-DFS-2016", "Unicode-DFS-2016"},
  };
  auto it = kKnown.find(name);
  if (it != kKnown.end()) return it->second;
  std::string ref = "LicenseRef-";
  for (char c : name)
    ref += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '-';
  return ref;
}

}  // namespace pare::sbom
