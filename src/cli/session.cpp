#include "cli/session.h"

#include <unistd.h>

#include <cstdlib>

#include "deb/apt_conf.h"
#include "util/cas.h"
#include "util/log.h"

namespace pare::cli {

void add_common(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("--suite", o.suite,
                  "Debian suite to build for (bookworm, trixie); overrides the spec");
  cmd->add_option("--arch", o.archs,
                  "Debian architecture(s) (amd64, arm64, ...); overrides the spec")
      ->delimiter(',');
  cmd->add_option("--cache-dir", o.cache_dir,
                  "cache directory (default: $PARE_CACHE_DIR, $XDG_CACHE_HOME/pare)");
  cmd->add_flag("--offline", o.offline, "use only the cache; fail naming what is missing");
  add_output_options(cmd, o);
}

spec::LoadOptions load_options(const CommonOptions& o) {
  spec::LoadOptions load;
  if (!o.suite.empty()) load.suite = o.suite;
  load.archs = o.archs;
  return load;
}

int64_t source_date_epoch() {
  const char* s = std::getenv("SOURCE_DATE_EPOCH");
  if (!s || !*s) return 0;
  char* end = nullptr;
  long long v = std::strtoll(s, &end, 10);
  if (*end || v < 0)
    throw Error(Errc::invalid,
                "SOURCE_DATE_EPOCH must be a non-negative integer, not '" + std::string(s) + "'");
  return v;
}

void add_summary_cache_option(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("--cache-dir", o.cache_dir,
                  "where layer summaries are kept (default: pare's cache directory)");
}

void add_output_options(CLI::App* cmd, CommonOptions& o) {
  cmd->add_flag("--json", o.json, "print the result as JSON on stdout");
  cmd->add_flag("-q,--quiet", o.quiet, "print only errors");
  cmd->add_flag("-v,--verbose", o.verbose, "more detail (repeat for debug output)");
}

void add_registry_options(CLI::App* cmd, RegistryOptions& o) {
  cmd->add_option("--insecure-registry", o.insecure,
                  "a registry (HOST[:PORT]) that may be reached over plain HTTP (loopback "
                  "registries always may)");
  cmd->add_option("--ca-file", o.ca_file,
                  "PEM certificates to trust besides the system roots (also read: "
                  "/etc/containers/certs.d/HOST/*.crt, /etc/docker/certs.d/HOST/*.crt)");
}

registry::ShortNames short_names_from_env() {
  registry::ShortNames s;
  if (const char* r = std::getenv("PARE_DEFAULT_REGISTRY")) s.default_registry = r;
  if (const char* p = std::getenv("PARE_DEFAULT_REGISTRY_PREFIX")) s.single_component_prefix = p;
  return s;
}

Session::Session(const CommonOptions& o) : progress(!o.quiet && !o.json && ::isatty(2)) {
  log::set_level(o.quiet          ? log::Level::error
                 : o.verbose >= 2 ? log::Level::debug
                 : o.verbose == 1 ? log::Level::info
                                  : log::Level::warn);
  log::set_sink([this](log::Level l, const std::string& m) {
    progress.clear();
    const char* prefix = l == log::Level::warn    ? "warning: "
                         : l == log::Level::error ? "error: "
                                                  : "";
    std::fprintf(stderr, "%s%s\n", prefix, m.c_str());
  });
  http::CurlOptions curl;
  curl.http_proxy = deb::host_apt_http_proxy();
  if (!curl.http_proxy.empty()) {
    PARE_LOG(info) << "packages through apt's proxy " << curl.http_proxy;
  }
  http = http::make_curl_client(curl);
  env.http = http.get();
  env.progress = &progress;
  env.getenv = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  env.cache_dir = o.cache_dir.empty() ? default_cache_dir() : std::filesystem::path(o.cache_dir);
  env.offline = o.offline;
}
Session::~Session() {
  log::set_sink(nullptr);
}

registry::RegistryPool& Session::registries(const RegistryOptions& o) {
  if (!registries_) {
    transport_ = http::make_curl_transport();
    registry::ClientOptions options;
    options.insecure_registries = o.insecure;
    options.ca_file = o.ca_file;
    if (const char* dirs = std::getenv("PARE_CERTS_DIRS")) {  // tests: certs.d kept elsewhere
      options.certs_dirs.clear();
      for (std::string_view rest = dirs; !rest.empty();) {
        size_t colon = rest.find(':');
        options.certs_dirs.emplace_back(rest.substr(0, colon));
        rest = colon == std::string_view::npos ? "" : rest.substr(colon + 1);
      }
    }
    registries_ = std::make_unique<registry::RegistryPool>(
        *transport_, registry::system_credential_env(), std::move(options));
  }
  return *registries_;
}

}  // namespace pare::cli
