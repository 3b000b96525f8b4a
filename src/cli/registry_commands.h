// Setup functions of the registry commands (cli.cpp's command table lists them).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "cli/session.h"
#include "oci/image_files_on_disk.h"
#include "registry/image_io.h"
#include "registry/layer_cache.h"
#include "registry/push.h"

namespace pare::cli {

std::function<int()> setup_push(CLI::App* cmd);
std::function<int()> setup_pull(CLI::App* cmd);
std::function<int()> setup_copy(CLI::App* cmd);
std::function<int()> setup_tags(CLI::App* cmd);
std::function<int()> setup_manifest(CLI::App* cmd);
std::function<int()> setup_login(CLI::App* cmd);
std::function<int()> setup_logout(CLI::App* cmd);
std::function<int()> setup_attach(CLI::App* cmd);
std::function<int()> setup_referrers(CLI::App* cmd);
std::function<int()> setup_sbom(CLI::App* cmd);     // sbom_commands.cpp
std::function<int()> setup_inspect(CLI::App* cmd);  // sbom_commands.cpp
std::function<int()> setup_ls(CLI::App* cmd);       // look_commands.cpp
std::function<int()> setup_cat(CLI::App* cmd);      // look_commands.cpp
std::function<int()> setup_audit(CLI::App* cmd);    // look_commands.cpp
std::function<int()> setup_diff(CLI::App* cmd);     // look_commands.cpp
std::function<int()> setup_scan(CLI::App* cmd);     // scan_commands.cpp
std::function<int()> setup_compare(CLI::App* cmd);  // scan_commands.cpp

// An image named on the command line (any transport): its reference, source, tag and the
// root (manifest or index) it names. Throws pare's error on failure.
struct OpenedImage {
  registry::ImageRef ref;
  std::unique_ptr<oci::ImageSource> source;
  std::string tag;
  oci::Descriptor root;
};
OpenedImage open_image(Session& session, const RegistryOptions& ro, const std::string& text);
// The same opened so that its layers can be read as files (oci/image_files_on_disk.h), the
// platform given as "os/arch" ("" = linux/amd64), layer summaries kept in the session's cache.
oci::ImageOnDisk open_image_files(Session& session, const RegistryOptions& ro,
                                  const std::string& text, const std::string& platform,
                                  OpenedImage& opened);
inline constexpr const char* kImageArgHelp =
    "oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE or docker://REF";

// Every tag of a local image (or the one it names) to a registry repository; shared by
// `pare push` and `pare build --push`.
std::vector<registry::Pushed> push_local(Session& session, const RegistryOptions& ro,
                                         const std::string& source_text,
                                         const std::string& destination_text);
// --cache REF (read and write) and --cache-from REF (read only): the registry layer cache
// (registry/layer_cache.h); $PARE_CACHE and $PARE_CACHE_FROM when the options are not given.
struct CacheOptions {
  std::string cache, cache_from;
};
void add_cache_options(CLI::App* cmd, CacheOptions& o);
// The cache the options name, or null when none does.
std::unique_ptr<registry::LayerCache> open_layer_cache(Session& session, const RegistryOptions& ro,
                                                       const CacheOptions& o);

// The same from any source (`tags` empty: every tag), e.g. a build's images in memory;
// `layers_elsewhere`: their layers are in another repository of the registry (a cache).
std::vector<registry::Pushed> push_source(Session& session, const RegistryOptions& ro,
                                          oci::ImageSource& source,
                                          const std::vector<std::string>& tags,
                                          const std::string& destination_text,
                                          bool layers_elsewhere = false);

}  // namespace pare::cli
