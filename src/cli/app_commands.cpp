#include "cli/app_commands.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "build/app_deps.h"
#include "cli/session.h"
#include "spec/suites.h"

namespace pare::cli {

namespace {

using nlohmann::json;

void print_analysis(const deps::Analysis& a, const std::string& suite, bool as_json) {
  if (as_json) {
    json needs = json::array();
    for (const auto& n : a.needs) {
      json j = {{"file", n.file}, {"library", n.library}, {"path", n.found_at}};
      j["package"] = n.package.empty() ? json(nullptr) : json(n.package);
      if (!n.alternatives.empty()) j["alternatives"] = n.alternatives;
      needs.push_back(j);
    }
    json out = {{"suite", suite}, {"arch", a.arch}, {"packages", a.packages}, {"needs", needs}};
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  std::string file;
  for (const auto& n : a.needs) {
    if (n.file != file) std::printf("%s\n", (file = n.file).c_str());
    std::printf("  %-28s %-22s %s\n", n.library.c_str(),
                n.package.empty() ? "(the application's own)" : n.package.c_str(),
                n.found_at.c_str());
  }
  std::string names;
  for (const auto& p : a.packages) names += " " + p;
  std::printf("packages (%s/%s, %zu):%s\n", suite.c_str(), a.arch.c_str(), a.packages.size(),
              names.c_str());
}

}  // namespace

std::function<int()> setup_deps(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto files = std::make_shared<std::vector<std::string>>();
  cmd->add_option("files", *files, "ELF files or directories (directories are walked)")->required();
  add_common(cmd, *o);
  cmd->footer(
      "For each ELF file: its program interpreter and every DT_NEEDED library, looked for where "
      "the dynamic loader would (DT_RPATH/DT_RUNPATH with $ORIGIN, then the architecture's "
      "library directories), are found among the files given or in the suite's signed "
      "Contents index (fetched once, ~12 MB, then cached). The packages printed are what "
      "`auto-deps: true` adds to a spec. --suite defaults to bookworm; --arch to the files' own.");
  return [=] {
    Session session(*o);
    std::vector<std::filesystem::path> paths(files->begin(), files->end());
    build::AppFiles app = build::host_app_files(paths).value();
    std::string arch = build::app_arch(app).value();
    if (!o->archs.empty()) {
      if (o->archs.size() != 1) throw Error(Errc::invalid, "--arch: one architecture at a time");
      if (!arch.empty() && o->archs.front() != arch)
        throw Error(Errc::invalid, "the files are built for " + arch + ", not " + o->archs.front());
      arch = o->archs.front();
    }
    if (arch.empty()) throw Error(Errc::not_found, "none of the files given is an ELF file");
    spec::Spec spec;
    spec.source.suite = o->suite.empty() ? "bookworm" : o->suite;
    if (!spec::find_suite(spec.source.suite))
      throw Error(Errc::invalid, "--suite: unknown suite '" + spec.source.suite +
                                     "'; supported: " + spec::supported_suites_text());
    spec.archs = {arch};
    deb::LibraryIndex index = build::library_index(spec, arch, session.env).value();
    deps::Analysis analysis =
        deps::analyse(app.elf, app.all_paths, index, arch, spec.source.suite + "/" + arch).value();
    print_analysis(analysis, spec.source.suite, o->json);
    return 0;
  };
}

}  // namespace pare::cli
