#include "deb/sources.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "deb/deb822.h"
#include "util/fs.h"

namespace pare::deb {

namespace stdfs = std::filesystem;

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string origin_of(std::string_view name, int line) {
  return std::string(name) + ":" + std::to_string(line);
}

Error source_error(std::string_view name, int line, const std::string& what) {
  return Error(Errc::invalid, origin_of(name, line) + ": " + what);
}

std::vector<std::string> split_on(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool known_type(const std::string& t) {
  return t == "deb" || t == "deb-src";
}

// "[ arch=amd64 signed-by=/k.gpg ]" contents -> fields of src.
Result<void> apply_options(std::string_view options, AptSource& src, std::string_view name,
                           int line) {
  for (const std::string& opt : split_words(options)) {
    size_t eq = opt.find('=');
    if (eq == std::string::npos || eq == 0)
      return source_error(name, line, "malformed option '" + opt + "' (expected key=value)");
    std::string key = opt.substr(0, eq);
    std::string value = opt.substr(eq + 1);
    if (!key.empty() && (key.back() == '+' || key.back() == '-')) key.pop_back();
    if (key == "signed-by") src.signed_by = value;
    if (key == "arch") src.architectures = split_on(value, ',');
  }
  return {};
}

Result<AptSource> parse_one_line(std::string_view text, std::string_view name, int line) {
  AptSource src;
  src.origin = origin_of(name, line);
  size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() && is_space(text[i])) ++i;
  };
  auto word = [&] {
    size_t start = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    return std::string(text.substr(start, i - start));
  };
  skip_space();
  std::string type = word();
  if (!known_type(type)) return source_error(name, line, "unknown source type '" + type + "'");
  src.types.push_back(type);
  skip_space();
  if (i < text.size() && text[i] == '[') {
    size_t close = text.find(']', i);
    if (close == std::string_view::npos) return source_error(name, line, "'[' without ']'");
    PARE_CHECK(apply_options(text.substr(i + 1, close - i - 1), src, name, line));
    i = close + 1;
  }
  std::vector<std::string> rest = split_words(text.substr(i));
  if (rest.size() < 2)
    return source_error(name, line, "expected 'TYPE [OPTIONS] URI SUITE [COMPONENT...]'");
  src.uris.push_back(rest[0]);
  src.suites.push_back(rest[1]);
  src.components.assign(rest.begin() + 2, rest.end());
  return src;
}

// A deb822 Signed-By is either key paths/fingerprints on one line or an
// embedded armored key, whose empty lines are written " ." (Policy 5.1).
std::string signed_by_value(const std::string& raw) {
  if (raw.find('\n') == std::string::npos) return raw;
  std::string out;
  size_t start = raw.front() == '\n' ? 1 : 0;
  while (start <= raw.size()) {
    size_t end = raw.find('\n', start);
    if (end == std::string::npos) end = raw.size();
    std::string_view l(raw.data() + start, end - start);
    if (l != ".") out.append(l);
    out += '\n';
    start = end + 1;
  }
  return out;
}

Result<bool> parse_enabled(const Paragraph& p, std::string_view name) {
  const Field* f = p.find("Enabled");
  if (!f) return true;
  for (const char* yes : {"yes", "true", "on", "enable"})
    if (iequals(f->value, yes)) return true;
  for (const char* no : {"no", "false", "off", "disable"})
    if (iequals(f->value, no)) return false;
  return source_error(name, f->line, "Enabled must be yes or no, not '" + f->value + "'");
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Result<AptSource> source_from_paragraph(const Paragraph& p, std::string_view name) {
  AptSource src;
  src.origin = origin_of(name, p.line);
  PARE_TRY(src.enabled, parse_enabled(p, name));
  src.types = split_words(p.get("Types"));
  src.uris = split_words(p.get("URIs"));
  src.suites = split_words(p.get("Suites"));
  src.components = split_words(p.get("Components"));
  src.architectures = split_words(p.get("Architectures"));
  src.signed_by = signed_by_value(p.get("Signed-By"));
  if (!src.enabled) return src;  // apt does not look further at disabled entries
  for (const char* required : {"Types", "URIs", "Suites"})
    if (split_words(p.get(required)).empty())
      return source_error(name, p.line, std::string("source has no ") + required + " field");
  for (const std::string& t : src.types)
    if (!known_type(t)) return source_error(name, p.line, "unknown source type '" + t + "'");
  bool exact_paths = std::all_of(src.suites.begin(), src.suites.end(),
                                 [](const std::string& s) { return ends_with(s, "/"); });
  if (src.components.empty() && !exact_paths)
    return source_error(name, p.line, "source has no Components field");
  return src;
}

bool valid_list_name(const std::string& file) {
  return is_apt_part_name(file) && (ends_with(file, ".list") || ends_with(file, ".sources"));
}

Result<void> read_sources_file(const stdfs::path& path, bool deb822, std::vector<AptSource>& out) {
  PARE_TRY(std::string text, fs::read_file(path, uint64_t{4} << 20));
  auto parsed = deb822 ? parse_deb822_sources(text, path.string())
                       : parse_one_line_sources(text, path.string());
  if (!parsed.ok()) return parsed.error();
  for (AptSource& s : parsed.value()) out.push_back(std::move(s));
  return {};
}

bool is_security_suite(std::string_view suite) {
  return ends_with(suite, "-security") || ends_with(suite, "/updates");
}

bool fetchable_uri(std::string_view uri) {
  return uri.rfind("http://", 0) == 0 || uri.rfind("https://", 0) == 0 ||
         uri.rfind("file:", 0) == 0;
}

// The distribution's own archive is signed by the distribution's keyring;
// third-party repositories (vendor packages) name their own keyring.
bool looks_like_distribution_archive(const AptSource& src) {
  return src.signed_by.empty() || src.signed_by.find("debian-archive") != std::string::npos;
}

struct HostMirror {
  std::string uri, origin, signed_by;
};

std::optional<HostMirror> pick_host_mirror(const std::vector<AptSource>& sources, bool security,
                                           bool archive_only) {
  for (const AptSource& src : sources) {
    if (!src.enabled) continue;
    if (std::find(src.types.begin(), src.types.end(), "deb") == src.types.end()) continue;
    if (archive_only && !looks_like_distribution_archive(src)) continue;
    auto uri = std::find_if(src.uris.begin(), src.uris.end(),
                            [](const std::string& u) { return fetchable_uri(u); });
    if (uri == src.uris.end()) continue;
    for (const std::string& suite : src.suites)
      if (is_security_suite(suite) == security)
        return HostMirror{strip_trailing_slashes(*uri), src.origin, src.signed_by};
  }
  return std::nullopt;
}

std::optional<HostMirror> pick_host_mirror(const std::vector<AptSource>& sources, bool security) {
  if (auto m = pick_host_mirror(sources, security, true)) return m;
  return pick_host_mirror(sources, security, false);
}

// Fill one of (mirror, security mirror) from spec, env or host, in that order.
Result<void> choose(const std::string& from_spec, const char* env_name,
                    const std::function<std::string(const char*)>& getenv, bool security,
                    const std::function<Result<const std::vector<AptSource>*>()>& host,
                    std::string& uri, std::string& origin, std::string& signed_by) {
  if (!from_spec.empty()) {
    uri = strip_trailing_slashes(from_spec);
    origin = "spec";
    return {};
  }
  std::string env = getenv ? getenv(env_name) : std::string();
  if (!env.empty()) {
    uri = strip_trailing_slashes(env);
    origin = env_name;
    return {};
  }
  PARE_TRY(const std::vector<AptSource>* sources, host());
  if (auto m = pick_host_mirror(*sources, security)) {
    uri = m->uri;
    origin = m->origin;
    signed_by = m->signed_by;
  }
  return {};
}

}  // namespace

std::string strip_trailing_slashes(std::string_view uri) {
  while (!uri.empty() && uri.back() == '/') uri.remove_suffix(1);
  return std::string(uri);
}

Result<std::vector<AptSource>> parse_one_line_sources(std::string_view text,
                                                      std::string_view name) {
  std::vector<AptSource> out;
  int line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    line = line.substr(0, line.find('#'));  // apt drops everything after '#'
    if (split_words(line).empty()) continue;
    PARE_TRY(AptSource src, parse_one_line(line, name, line_no));
    out.push_back(std::move(src));
  }
  return out;
}

Result<std::vector<AptSource>> parse_deb822_sources(std::string_view text, std::string_view name) {
  std::vector<AptSource> out;
  PARE_CHECK(for_each_paragraph(text, name, [&](const Paragraph& p) -> Result<void> {
    PARE_TRY(AptSource src, source_from_paragraph(p, name));
    out.push_back(std::move(src));
    return {};
  }));
  return out;
}

Result<std::vector<AptSource>> read_host_sources(const stdfs::path& root) {
  std::vector<AptSource> out;
  stdfs::path apt = root / "etc/apt";
  stdfs::path list = apt / "sources.list";
  if (fs::exists(list)) PARE_CHECK(read_sources_file(list, false, out));
  stdfs::path dir = apt / "sources.list.d";
  std::error_code ec;
  if (!stdfs::is_directory(dir, ec)) return out;
  std::vector<stdfs::path> files;
  for (const auto& entry : stdfs::directory_iterator(dir, ec)) {
    std::string file = entry.path().filename().string();
    if (valid_list_name(file) && entry.is_regular_file(ec)) files.push_back(entry.path());
  }
  if (ec) return Error(Errc::io, "cannot list " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const stdfs::path& f : files)
    PARE_CHECK(read_sources_file(f, ends_with(f.string(), ".sources"), out));
  return out;
}

Result<Mirrors> discover_mirrors(const MirrorOverrides& spec,
                                 const std::function<std::string(const char*)>& getenv,
                                 const stdfs::path& root) {
  // The host's sources are read only when needed, and at most once.
  std::optional<std::vector<AptSource>> host_sources;
  auto host = [&]() -> Result<const std::vector<AptSource>*> {
    if (!host_sources) {
      auto r = read_host_sources(root);
      if (!r.ok()) return r.error().context("reading the host's apt sources");
      host_sources = std::move(r.value());
    }
    return &*host_sources;
  };
  Mirrors m;
  PARE_CHECK(choose(spec.mirror, "PARE_MIRROR", getenv, false, host, m.mirror, m.mirror_origin,
                    m.mirror_signed_by));
  if (m.mirror.empty())
    return Error(Errc::not_found, "no Debian mirror found: no enabled 'deb' source in " +
                                      (root / "etc/apt/sources.list").string() + " or " +
                                      (root / "etc/apt/sources.list.d").string() +
                                      "; set PARE_MIRROR or source.mirror in the spec");
  PARE_CHECK(choose(spec.security_mirror, "PARE_SECURITY_MIRROR", getenv, true, host,
                    m.security_mirror, m.security_origin, m.security_signed_by));
  return m;
}

bool is_apt_part_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
      return false;
  return true;
}

}  // namespace pare::deb
