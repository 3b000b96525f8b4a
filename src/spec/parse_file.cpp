// Parses one spec file (top-level keys, source, image config); see spec.h for the format.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "spec/parsed.h"
#include "spec/suites.h"
#include "spec/yaml_util.h"
#include "util/sha256.h"

namespace pare::spec::detail {

namespace {

bool is_alnum_lower(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// A repository path as the OCI distribution spec allows it, simplified: '/'-separated
// components of [a-z0-9] joined by '.', '_' or '-', each starting and ending alphanumeric.
bool is_valid_image_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  size_t pos = 0;
  while (pos <= name.size()) {
    size_t end = name.find('/', pos);
    if (end == std::string_view::npos) end = name.size();
    auto part = name.substr(pos, end - pos);
    if (part.empty() || !is_alnum_lower(part.front()) || !is_alnum_lower(part.back())) return false;
    for (size_t i = 0; i < part.size(); ++i) {
      char c = part[i];
      if (!is_alnum_lower(c) && c != '.' && c != '_' && c != '-') return false;
      if (c == '.' && part[i - 1] == '.') return false;
    }
    pos = end + 1;
  }
  return true;
}

bool is_valid_url(std::string_view url) {
  bool scheme =
      url.starts_with("http://") || url.starts_with("https://") || url.starts_with("file:/");
  return scheme && url.size() <= 4096 &&
         std::none_of(url.begin(), url.end(), [](char c) { return c <= ' ' || c == 0x7f; });
}

bool is_valid_env_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// "8080", "8080/tcp", "53/udp", "9/sctp" (the OCI config ExposedPorts key syntax).
bool is_valid_port(std::string_view port) {
  auto slash = port.find('/');
  auto number = port.substr(0, slash);
  if (number.empty() || number.size() > 5 ||
      !std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  int value = std::stoi(std::string(number));
  if (value < 1 || value > 65535) return false;
  if (slash == std::string_view::npos) return true;
  auto proto = port.substr(slash + 1);
  return proto == "tcp" || proto == "udp" || proto == "sctp";
}

// "SIGTERM", "SIGRTMIN+3" or a signal number.
// The signal names Linux has (signal(7)), and SIGRTMIN+n / SIGRTMAX-n as
// Docker and podman parse them; a number from 1 to 64.
bool is_valid_signal(std::string_view sig) {
  auto number = [](std::string_view s, int lo, int hi) {
    if (s.empty() || s.size() > 2 ||
        !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return false;
    int n = std::stoi(std::string(s));
    return n >= lo && n <= hi;
  };
  if (number(sig, 1, 64)) return true;
  static const char* const kNames[] = {
      "SIGABRT", "SIGALRM",   "SIGBUS",   "SIGCHLD", "SIGCONT",   "SIGFPE",   "SIGHUP",
      "SIGILL",  "SIGINT",    "SIGIO",    "SIGIOT",  "SIGKILL",   "SIGPIPE",  "SIGPOLL",
      "SIGPROF", "SIGPWR",    "SIGQUIT",  "SIGSEGV", "SIGSTKFLT", "SIGSTOP",  "SIGSYS",
      "SIGTERM", "SIGTRAP",   "SIGTSTP",  "SIGTTIN", "SIGTTOU",   "SIGURG",   "SIGUSR1",
      "SIGUSR2", "SIGVTALRM", "SIGWINCH", "SIGXCPU", "SIGXFSZ",   "SIGRTMIN", "SIGRTMAX"};
  for (const char* name : kNames)
    if (sig == name) return true;
  if (sig.starts_with("SIGRTMIN+")) return number(sig.substr(9), 1, 30);
  if (sig.starts_with("SIGRTMAX-")) return number(sig.substr(9), 1, 30);
  return false;
}

// YAML is Unicode (YAML 1.2, 5.2): a spec is UTF-8. An invalid byte is
// reported where it stands rather than turned into U+FFFD in the image config.
Result<void> check_utf8(const Ctx& ctx, std::string_view text) {
  int line = 1, column = 1;
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = n > 0 && i + n <= text.size();
    for (size_t k = 1; ok && k < n; ++k)
      ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (ok && n > 1) {  // no overlong forms, surrogates or code points past U+10FFFF
      uint32_t cp = c & (0x7F >> n);
      for (size_t k = 1; k < n; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
      ok = cp >= (n == 2   ? 0x80u
                  : n == 3 ? 0x800u
                           : 0x10000u) &&
           cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
    }
    if (!ok)
      return ctx.error(
          Location{ctx.file, line, column},
          "invalid UTF-8 (byte 0x" + to_hex(text.substr(i, 1)) + "): a spec must be UTF-8 text");
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += n;
  }
  return {};
}

// Two files: to one dest, or one paths: entry twice, in one spec file: the
// last would silently win.
Result<void> check_duplicates(const Ctx& ctx, const ParsedFile& f) {
  std::map<std::string, Location> dests, paths;
  for (const auto& item : f.files)
    if (auto [it, fresh] = dests.emplace(item.dest, item.loc); !fresh)
      return ctx.error(item.loc, "files: a second file for dest " + item.dest +
                                     " (the first is at " + it->second.str() + ")");
  // A permissions entry may change what another entry created; two entries
  // that create one path (or two permissions on it) conflict.
  for (const auto& item : f.paths)
    if (auto [it, fresh] = paths.emplace(
            (item.type == PathItem::Type::permissions ? "p " : "c ") + item.path, item.loc);
        !fresh)
      return ctx.error(item.loc, "paths: " + item.path + " is given twice (the first is at " +
                                     it->second.str() + ")");
  return {};
}

Result<std::string> checked_string(const Ctx& ctx, const Field& f, bool (*valid)(std::string_view),
                                   const std::string& expected) {
  PARE_TRY(std::string s, get_string(ctx, f));
  if (!valid(s)) return ctx.error(f.value, f.key + ": expected " + expected + ", got '" + s + "'");
  return s;
}

Result<std::vector<std::string>> checked_list(const Ctx& ctx, const Field& f,
                                              bool (*valid)(std::string_view),
                                              const std::string& expected, bool unique) {
  PARE_TRY(auto items, get_located_strings(ctx, f));
  std::vector<std::string> out;
  for (auto& [s, loc] : items) {
    if (!valid(s)) return ctx.error(loc, f.key + ": expected " + expected + ", got '" + s + "'");
    if (unique && std::find(out.begin(), out.end(), s) != out.end())
      return ctx.error(loc, f.key + ": '" + s + "' is listed twice");
    out.push_back(std::move(s));
  }
  return out;
}

bool nonempty_no_nul(std::string_view s) {
  return !s.empty() && s.find('\0') == std::string_view::npos;
}
bool is_component(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return is_alnum_lower(c) || c == '-' || c == '/';
  });
}
bool is_user(std::string_view s) {
  return !s.empty() && s.size() <= 256 && std::count(s.begin(), s.end(), ':') <= 1 &&
         std::none_of(s.begin(), s.end(), [](char c) { return c <= ' '; });
}
// An image version as users write them ("1.2.3", "2024.1-rc1"): printable, no spaces.
bool is_valid_version_text(std::string_view s) {
  return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) > ' ' && c != 0x7f;
  });
}
bool is_variant(std::string_view s) {
  const auto& names = variant_names();
  return std::find(names.begin(), names.end(), s) != names.end();
}

// A string-to-string mapping whose keys must pass `valid_key`.
Result<std::vector<std::pair<std::string, std::string>>> checked_map(
    const Ctx& ctx, const Field& f, bool (*valid_key)(std::string_view),
    const std::string& expected) {
  PARE_TRY(Fields entries, read_any_fields(ctx, f.value, f.key, ctx.loc(f.key_node)));
  std::vector<std::pair<std::string, std::string>> out;
  for (const Field& e : entries.fields) {
    if (!valid_key(e.key))
      return ctx.error(e.key_node, f.key + ": expected " + expected + ", got '" + e.key + "'");
    PARE_TRY(std::string value, get_string(ctx, Field{f.key + "." + e.key, e.key_node, e.value}));
    if (value.find('\0') != std::string::npos)
      return ctx.error(e.value, f.key + "." + e.key + ": must not contain a NUL byte");
    out.emplace_back(e.key, std::move(value));
  }
  return out;
}

Result<void> parse_source(const Ctx& ctx, const Field& f, const std::filesystem::path& dir,
                          SourcePatch& out) {
  PARE_TRY(Fields fields, read_fields(ctx, f.value, "source",
                                      {"suite", "components", "mirror", "security-mirror",
                                       "keyring", "updates", "security"},
                                      ctx.loc(f.key_node)));
  for (const Field& field : fields.fields) {
    const std::string& k = field.key;
    if (k == "suite") {
      PARE_TRY(std::string suite, get_string(ctx, field));
      if (!find_suite(suite))
        return ctx.error(field.value, "suite: unknown suite '" + suite +
                                          "'; supported: " + supported_suites_text());
      out.suite = suite;
      out.suite_loc = ctx.loc(field.value);
    } else if (k == "components") {
      PARE_TRY(auto list,
               checked_list(ctx, field, is_component, "an archive area such as main", true));
      if (list.empty()) return ctx.error(field.value, "components: must name at least one");
      out.components = std::move(list);
    } else if (k == "mirror" || k == "security-mirror") {
      PARE_TRY(std::string url,
               checked_string(ctx, field, is_valid_url, "an http://, https:// or file:/ URL"));
      (k == "mirror" ? out.mirror : out.security_mirror) = std::move(url);
    } else if (k == "keyring") {
      PARE_TRY(std::string path, checked_string(ctx, field, nonempty_no_nul, "a file path"));
      out.keyring = (dir / path).lexically_normal().string();
    } else {
      PARE_TRY(bool flag, get_bool(ctx, field));
      (k == "updates" ? out.updates : out.security) = flag;
    }
  }
  return {};
}

// version: "1.2.3" | {package: NAME or [NAMES], env: VAR}
Result<VersionSetting> parse_version(const Ctx& ctx, const Field& f) {
  VersionSetting v;
  v.loc = ctx.loc(f.value);
  if (f.value.IsScalar()) {
    PARE_TRY(v.literal,
             checked_string(ctx, f, is_valid_version_text,
                            "a version such as 1.2.3 (no spaces or control characters)"));
    return v;
  }
  PARE_TRY(Fields fields, read_fields(ctx, f.value, "version", {"package", "env"}, v.loc));
  for (const Field& field : fields.fields) {
    if (field.key == "env") {
      PARE_TRY(v.env, checked_string(ctx, field, is_valid_env_name, "a variable name"));
    } else if (field.value.IsScalar()) {
      PARE_TRY(std::string name,
               checked_string(ctx, field, is_valid_package_name, "a package name"));
      v.packages.push_back(std::move(name));
    } else {
      PARE_TRY(v.packages,
               checked_list(ctx, field, is_valid_package_name, "a package name", false));
    }
  }
  if (v.packages.empty())
    return ctx.error(v.loc, "version: expected a version string or {package: NAME, env: VAR}");
  return v;
}

Result<void> parse_image_key(const Ctx& ctx, const Field& f, ImagePatch& out) {
  const std::string& k = f.key;
  if (k == "user") {
    PARE_TRY(out.user, checked_string(ctx, f, is_user, "a user name or uid[:gid]"));
  } else if (k == "workdir") {
    PARE_TRY(out.workdir, get_image_path(ctx, f));
  } else if (k == "entrypoint" || k == "cmd") {
    PARE_TRY(auto list, get_string_list(ctx, f));
    (k == "entrypoint" ? out.entrypoint : out.cmd) = std::move(list);
  } else if (k == "env") {
    PARE_TRY(out.env, checked_map(ctx, f, is_valid_env_name,
                                  "a variable name (letters, digits and _, not starting with a "
                                  "digit)"));
  } else if (k == "labels" || k == "annotations") {
    PARE_TRY(auto map, checked_map(ctx, f, nonempty_no_nul, "a non-empty key"));
    (k == "labels" ? out.labels : out.annotations) = std::move(map);
  } else if (k == "ports") {
    PARE_TRY(out.ports, checked_list(ctx, f, is_valid_port, "a port such as \"8080/tcp\"", true));
  } else if (k == "volumes") {
    PARE_TRY(out.volumes, checked_list(ctx, f, is_image_path, "an absolute path", true));
  } else if (k == "version") {
    PARE_TRY(out.version, parse_version(ctx, f));
  } else if (k == "healthcheck") {
    PARE_TRY(out.healthcheck, parse_healthcheck(ctx, f));
  } else if (k == "stop-signal") {
    PARE_TRY(out.stop_signal,
             checked_string(ctx, f, is_valid_signal, "a signal such as SIGTERM or a number"));
  }
  return {};
}

Result<void> parse_top_key(const Ctx& ctx, const Field& f, ParsedFile& out) {
  const std::string& k = f.key;
  std::filesystem::path dir = out.file.parent_path();
  if (k == "from") {
    PARE_TRY(std::string from, checked_string(ctx, f, nonempty_no_nul, "a spec file or scratch"));
    out.from = std::move(from);
    out.from_loc = ctx.loc(f.value);
  } else if (k == "name") {
    PARE_TRY(out.name, checked_string(ctx, f, is_valid_image_name,
                                      "a lowercase image name ([a-z0-9] joined by . _ - /)"));
  } else if (k == "source") {
    PARE_CHECK(parse_source(ctx, f, dir, out.source));
  } else if (k == "archs") {
    PARE_TRY(auto archs, get_located_strings(ctx, f));
    for (size_t i = 0; i < archs.size(); ++i) {
      if (!is_known_arch(archs[i].first))
        return ctx.error(archs[i].second, "archs: unknown architecture '" + archs[i].first +
                                              "'; known: " + known_archs_text());
      for (size_t j = 0; j < i; ++j)
        if (archs[j].first == archs[i].first)
          return ctx.error(archs[i].second, "archs: '" + archs[i].first + "' is listed twice");
    }
    if (archs.empty()) return ctx.error(f.value, "archs: must name at least one architecture");
    out.archs = std::move(archs);
  } else if (k == "packages" || k == "exclude") {
    PARE_TRY(auto list, parse_package_list(ctx, f, k == "packages"));
    (k == "packages" ? out.packages : out.exclude) = std::move(list);
  } else if (k == "files") {
    PARE_TRY(out.files, parse_files(ctx, f, dir));
  } else if (k == "paths") {
    PARE_TRY(out.paths, parse_paths(ctx, f));
  } else if (k == "accounts") {
    PARE_CHECK(parse_accounts(ctx, f, out));
  } else if (k == "certificates") {
    PARE_TRY(auto certs, checked_list(ctx, f, nonempty_no_nul, "a file path", true));
    for (const auto& c : certs) out.certificates.push_back((dir / c).lexically_normal());
  } else if (k == "sbom") {
    PARE_TRY(bool flag, get_bool(ctx, f));
    out.sbom = flag;
  } else if (k == "slim") {
    PARE_TRY(bool flag, get_bool(ctx, f));
    out.slim = flag;
  } else if (k == "auto-deps") {
    PARE_TRY(bool flag, get_bool(ctx, f));
    out.auto_deps = flag;
    out.auto_deps_loc = ctx.loc(f.value);
  } else if (k == "variants") {
    PARE_TRY(auto list, checked_list(ctx, f, is_variant,
                                     "one of latest, nonroot, debug, debug-nonroot", true));
    if (list.empty()) return ctx.error(f.value, "variants: must name at least one variant");
    out.variants = std::move(list);
  } else {
    PARE_CHECK(parse_image_key(ctx, f, out.image));
  }
  return {};
}

// YAML 1.2 (5.1) allows no C0 control characters but tab and line breaks, nor DEL. Rejecting
// them up front also keeps them away from yaml-cpp 0.7's scanner, which mishandles some.
Result<void> check_printable(const Ctx& ctx, std::string_view text) {
  int line = 1, column = 1;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", byte);
      return ctx.error(Location{ctx.file, line, column},
                       std::string("control character ") + hex + " is not allowed in YAML");
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((byte & 0xc0) != 0x80) {  // count characters, not UTF-8 continuation bytes
      ++column;
    }
  }
  return {};
}

// Counts documents, stopping at the second: yaml-cpp 0.7's LoadAll loops for ever on some
// malformed input (a stray ','), so it is never used; this bounded walk is the replacement.
class DocumentCounter : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
  std::vector<YAML::Mark> starts;
};

Location mark_location(const Ctx& ctx, const YAML::Mark& m) {
  if (m.is_null() || m.line < 0) return Location{ctx.file, 0, 0};
  return Location{ctx.file, m.line + 1, m.column + 1};
}

Result<YAML::Node> load_document(const Ctx& ctx, std::string_view text) {
  if (text.size() > kMaxSpecBytes)
    return ctx.error(Location{ctx.file, 0, 0}, "the file is larger than 1 MiB");
  PARE_CHECK(check_printable(ctx, text));
  std::string input(text);
  try {
    std::istringstream stream(input);
    YAML::Parser parser(stream);
    DocumentCounter counter;
    for (int i = 0; i < 2 && parser.HandleNextDocument(counter); ++i) {
    }
    if (counter.starts.size() > 1) {
      const YAML::Mark& second = counter.starts[1];
      if (second.pos <= counter.starts[0].pos)  // the parser made no progress
        return ctx.error(mark_location(ctx, second), "YAML syntax: unexpected character");
      return ctx.error(mark_location(ctx, second), "a spec file holds one YAML document");
    }
    YAML::Node doc = YAML::Load(input);
    if (doc.IsNull()) return YAML::Node(YAML::NodeType::Map);
    return doc;
  } catch (const YAML::Exception& e) {
    return ctx.error(mark_location(ctx, e.mark), "YAML syntax: " + e.msg);
  }
}

Result<ParsedFile> parse_document(const Ctx& ctx, std::string_view text,
                                  const std::filesystem::path& file);

}  // namespace

Result<ParsedFile> parse_spec_text(std::string_view text, const std::filesystem::path& file,
                                   const std::string& display) {
  Ctx ctx{display};
  try {
    return parse_document(ctx, text, file);
  } catch (const YAML::Exception& e) {
    // yaml-cpp reports misuse by exceptions; none should reach here, but never let one escape.
    return ctx.error(Location{display, 0, 0}, "YAML: " + e.msg);
  }
}

namespace {
Result<ParsedFile> parse_document(const Ctx& ctx, std::string_view text,
                                  const std::filesystem::path& file) {
  const std::string& display = ctx.file;
  PARE_CHECK(check_utf8(ctx, text));
  PARE_TRY(YAML::Node doc, load_document(ctx, text));
  ParsedFile out;
  out.file = file;
  out.display = display;
  PARE_TRY(Fields fields,
           read_fields(ctx, doc, "spec",
                       {"from",     "name",        "source",     "archs",     "packages",
                        "exclude",  "files",       "paths",      "accounts",  "certificates",
                        "user",     "workdir",     "entrypoint", "cmd",       "env",
                        "labels",   "annotations", "ports",      "volumes",   "stop-signal",
                        "variants", "version",     "sbom",       "auto-deps", "healthcheck",
                        "slim"}));
  out.root = fields.loc.line ? fields.loc : Location{display, 1, 1};
  for (const Field& f : fields.fields) PARE_CHECK(parse_top_key(ctx, f, out));
  PARE_CHECK(check_duplicates(ctx, out));
  return out;
}
}  // namespace

}  // namespace pare::spec::detail
