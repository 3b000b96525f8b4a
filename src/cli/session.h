// What every command shares: the common options, and a Session that sets up logging, the
// progress line, HTTP and (for commands that reach registries) the registry clients.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "build/build.h"
#include "cli/progress_line.h"
#include "registry/client.h"
#include "registry/reference.h"
#include "util/http_transport.h"

namespace pare::cli {

inline constexpr const char* kPareVersion = "0.1.0";  // also the registry cache's fingerprint

struct CommonOptions {
  std::string suite;
  std::vector<std::string> archs;
  std::string cache_dir;
  bool offline = false;
  bool json = false;
  bool quiet = false;
  int verbose = 0;
};
void add_common(CLI::App* cmd, CommonOptions& o);
// --json, -q, -v only (commands that build nothing).
void add_output_options(CLI::App* cmd, CommonOptions& o);
// --cache-dir for the commands that read images (where layer summaries are kept).
void add_summary_cache_option(CLI::App* cmd, CommonOptions& o);
spec::LoadOptions load_options(const CommonOptions& o);
int64_t source_date_epoch();

struct RegistryOptions {
  std::vector<std::string> insecure;
  std::string ca_file;
};
void add_registry_options(CLI::App* cmd, RegistryOptions& o);
// Short names ("team/app") take PARE_DEFAULT_REGISTRY; single-component ones also get
// PARE_DEFAULT_REGISTRY_PREFIX ("library/" where a registry keeps official images there).
registry::ShortNames short_names_from_env();

struct Session {
  std::unique_ptr<http::Client> http;  // through the host's apt proxy, if it has one
  ProgressLine progress;
  build::Environment env;

  explicit Session(const CommonOptions& o);
  ~Session();
  registry::RegistryPool& registries(const RegistryOptions& o);

 private:
  std::unique_ptr<http::Transport> transport_;
  std::unique_ptr<registry::RegistryPool> registries_;
};

}  // namespace pare::cli
