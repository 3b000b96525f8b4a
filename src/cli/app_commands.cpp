#include "cli/app_commands.h"

#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "build/app_deps.h"
#include "cli/session.h"
#include "init/init.h"
#include "spec/suites.h"
#include "util/fs.h"

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

namespace pare::cli {

namespace {

// Where the family specs are: --families, $PARE_FAMILIES, else examples/ beside the source
// tree the binary was built in or /usr/share/pare/examples.
std::filesystem::path families_dir(const std::string& given) {
  namespace stdfs = std::filesystem;
  if (!given.empty()) return stdfs::absolute(given);
  if (const char* env = std::getenv("PARE_FAMILIES"); env && *env) return stdfs::absolute(env);
  std::error_code ec;
  stdfs::path exe = stdfs::read_symlink("/proc/self/exe", ec);
  for (const auto& candidate :
       {exe.parent_path().parent_path() / "examples", stdfs::path("/usr/share/pare/examples")})
    if (stdfs::exists(candidate / "base.yaml", ec)) return candidate;
  return stdfs::absolute("examples");
}

// A directory name as an image name: lower case, [a-z0-9] runs joined by '-'.
std::string image_name_from(const std::string& dir) {
  std::string out;
  for (char c : dir) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) && u < 0x80)
      out += static_cast<char>(std::tolower(u));
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "app" : out;
}

}  // namespace

std::function<int()> setup_init(CLI::App* cmd) {
  struct Args {
    CommonOptions o;
    std::string dir = ".", dockerfile, output, families, name;
    bool force = false, print = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("dir", a->dir, "the project directory (default .)");
  cmd->add_option("--from-dockerfile", a->dockerfile, "translate this Dockerfile's final stage");
  cmd->add_option("-o,--output", a->output, "the spec to write (default DIR/pare.yaml)");
  cmd->add_option("--families", a->families,
                  "the directory of pare's family specs (default $PARE_FAMILIES or examples/)");
  cmd->add_option("--name", a->name, "the image name (default the directory's name)");
  cmd->add_option("--suite", a->o.suite, "bookworm (default) or trixie");
  cmd->add_flag("--force", a->force, "replace an existing spec");
  cmd->add_flag("--stdout", a->print, "print the spec instead of writing it");
  add_output_options(cmd, a->o);
  cmd->footer(
      "Detects go.mod, Cargo.toml, package.json, pyproject.toml / requirements.txt, pom.xml / "
      "build.gradle or a prebuilt ELF executable and picks the base as the distroless guide "
      "does; says why. With --from-dockerfile, FROM/COPY/ADD/ENV/WORKDIR/USER/EXPOSE/"
      "ENTRYPOINT/CMD/LABEL/HEALTHCHECK of the final stage become the spec, and what could not "
      "be translated is listed with its line. Exit 0 even with notes.");
  return [a] {
    namespace stdfs = std::filesystem;
    stdfs::path dir = stdfs::absolute(a->dir).lexically_normal();
    stdfs::path out = a->output.empty() ? dir / "pare.yaml" : stdfs::absolute(a->output);
    init::InitOptions options;
    options.families =
        families_dir(a->families).lexically_relative(out.parent_path()).generic_string();
    options.name =
        a->name.empty() ? image_name_from(out.parent_path().filename().string()) : a->name;
    if (!a->o.suite.empty()) options.suite = a->o.suite;
    init::InitResult r;
    if (!a->dockerfile.empty()) {
      std::string text = fs::read_file(a->dockerfile, 1 << 20).value();
      r = init::init_from_dockerfile(init::parse_dockerfile(text, a->dockerfile).value(), options)
              .value();
    } else {
      r = init::init_project(dir, options).value();
    }
    if (a->print) {
      std::fputs(r.spec.c_str(), stdout);
    } else {
      std::error_code ec;
      if (stdfs::exists(out, ec) && !a->force)
        throw Error(Errc::invalid, out.string() + " exists: not replaced (--force replaces it)");
      fs::write_file_atomic(out, r.spec).value();
    }
    if (a->o.json) {
      nlohmann::json notes = nlohmann::json::array();
      for (const auto& n : r.notes) notes.push_back({{"line", n.line}, {"note", n.text}});
      nlohmann::json j = {{"spec", a->print ? "" : out.string()},
                          {"family", r.family},
                          {"why", r.why},
                          {"notes", notes}};
      std::printf("%s\n", j.dump(2).c_str());
    } else if (!a->o.quiet) {
      std::FILE* f = a->print ? stderr : stdout;
      if (!a->print) std::fprintf(f, "wrote %s\n", out.string().c_str());
      std::fprintf(f, "base: %s: %s\n", r.family.c_str(), r.why.c_str());
      for (const auto& n : r.notes)
        std::fprintf(f, "  %s%s\n", n.line ? ("line " + std::to_string(n.line) + ": ").c_str() : "",
                     n.text.c_str());
    }
    return 0;
  };
}

}  // namespace pare::cli
