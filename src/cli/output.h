// How command results are shown: text for people, --json for machines.
#pragma once

#include <filesystem>

#include "build/build.h"
#include "build/cache.h"
#include "registry/push.h"

namespace pare::cli {

std::filesystem::path default_output(const std::filesystem::path& spec_path,
                                     oci::OutputFormat format);
void print_build(const build::BuildResult& result, bool json, bool quiet);
// Text from an image (file names, config values) made safe for a terminal: control bytes and
// backslashes as \xNN, so that a name cannot forge a line or send escape sequences.
std::string printable(std::string_view text);
// `pare build --push`: the build's summary, then each pushed reference with its digest.
void print_build_and_push(const build::BuildResult& result,
                          const std::vector<registry::Pushed>& pushed, bool json, bool quiet);
void print_plan(const build::Plan& plan, bool json);
void print_lock(const std::filesystem::path& path, bool json, bool quiet);
// `pare cache verify|prune`: what was checked and removed.
void print_cache_report(const char* what, const build::CacheReport& report, bool json, bool quiet);

}  // namespace pare::cli
