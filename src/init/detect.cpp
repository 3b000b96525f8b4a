// init_project and map_base_image (init.h): what a project directory is, and which pare
// family a Dockerfile's base image corresponds to.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "init/init.h"
#include "init/spec_writer.h"
#include "rootfs/elf.h"
#include "util/fs.h"

namespace pare::init {

namespace {

namespace stdfs = std::filesystem;
constexpr uint64_t kMaxManifest = 1 << 20;  // package.json, Cargo.toml, ...
constexpr uint64_t kMaxElf = uint64_t{1} << 30;

bool has(const stdfs::path& dir, const char* name) {
  std::error_code ec;
  return stdfs::is_regular_file(dir / name, ec);
}

std::string read_small(const stdfs::path& p) {
  auto r = fs::read_file(p, kMaxManifest);
  return r.ok() ? *r : "";
}

// `name = "x"` in Cargo.toml's [package] table (the first one in the file).
std::string cargo_name(const std::string& toml) {
  size_t pkg = toml.find("[package]");
  if (pkg == std::string::npos) return "";
  size_t at = toml.find("\nname", pkg);
  if (at == std::string::npos) return "";
  size_t q1 = toml.find('"', at), nl = toml.find('\n', at + 1);
  if (q1 == std::string::npos || q1 > nl) return "";
  size_t q2 = toml.find('"', q1 + 1);
  return q2 == std::string::npos ? "" : toml.substr(q1 + 1, q2 - q1 - 1);
}

// The first executable ELF file directly in `dir` (sorted by name), described.
bool find_elf(const stdfs::path& dir, std::string& name, rootfs::ElfInfo& info) {
  std::vector<stdfs::path> entries;
  std::error_code ec;
  for (auto it = stdfs::directory_iterator(dir, ec); !ec && it != stdfs::directory_iterator();
       it.increment(ec))
    entries.push_back(it->path());
  std::sort(entries.begin(), entries.end());
  for (const auto& p : entries) {
    if (!stdfs::is_regular_file(p, ec)) continue;
    if ((stdfs::status(p, ec).permissions() & stdfs::perms::owner_exec) == stdfs::perms::none)
      continue;
    if (!rootfs::file_has_elf_magic(p)) continue;
    auto bytes = fs::read_file(p, kMaxElf);
    if (!bytes.ok()) continue;
    auto elf = rootfs::read_elf(*bytes);
    if (!elf.ok() || elf->is_shared_object) continue;
    name = p.filename().string();
    info = *elf;
    return true;
  }
  return false;
}

std::string first_existing(const stdfs::path& dir, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (has(dir, n)) return n;
  return "";
}

}  // namespace

BaseGuess map_base_image(const std::string& image) {
  std::string ref = image;
  std::string tag;
  if (size_t at = ref.find('@'); at != std::string::npos) ref = ref.substr(0, at);
  if (size_t colon = ref.rfind(':');
      colon != std::string::npos && ref.find('/', colon) == std::string::npos) {
    tag = ref.substr(colon + 1);
    ref = ref.substr(0, colon);
  }
  std::string repo = ref.substr(ref.rfind('/') == std::string::npos ? 0 : ref.rfind('/') + 1);
  std::string variant = "nonroot";
  for (const char* v : {"debug-nonroot", "nonroot", "debug", "latest"})
    if (tag == v) variant = v;
  BaseGuess g{"", variant, "", ""};
  if (ref == "scratch") return {"scratch", "latest", "", "FROM scratch: nothing below the app"};
  bool distroless = ref.find("distroless/") != std::string::npos;
  bool chainguard = ref.find("chainguard/") != std::string::npos;
  if (distroless) {
    if (repo.find("-debian13") != std::string::npos) g.suite = "trixie";
    if (repo.find("-debian12") != std::string::npos) g.suite = "bookworm";
    repo = repo.substr(0, repo.find("-debian"));
  }
  // distroless's untagged image runs as root (latest); Chainguard's run as nonroot.
  if (distroless && (tag.empty() || tag == "latest")) g.variant = "latest";
  if (chainguard && tag.find("dev") == std::string::npos && g.variant == "latest")
    g.variant = "nonroot";
  struct Row {
    const char* prefix;
    const char* family;
  };
  static const Row rows[] = {
      {"static", "static"},
      {"base-nossl", "base-nossl"},
      {"base", "base"},
      {"glibc-dynamic", "base"},
      {"cc", "cc"},
      {"python", "python3"},
      {"node", "nodejs"},
      {"java", "java"},
      {"jre", "java"},
      {"jdk", "java"},
      {"eclipse-temurin", "java"},
      {"openjdk", "java"},
      {"amazoncorretto", "java"},
      {"golang", "static"},
      {"go", "static"},
      {"alpine", "base"},
      {"debian", "base"},
      {"ubuntu", "base"},
      {"busybox", "static"},
  };
  for (const auto& r : rows)
    if (repo.rfind(r.prefix, 0) == 0) {
      g.family = r.family;
      break;
    }
  if (g.family.empty()) return g;
  if (distroless || chainguard)
    g.why = "the same family as " + image;
  else
    g.why = repo + " maps to pare's " + g.family + " (the distroless guide's decision tree)";
  return g;
}

Result<InitResult> init_project(const stdfs::path& dir, const InitOptions& options) {
  SpecWriter s;
  s.families = options.families;
  s.suite = options.suite;
  s.name = options.name;
  s.variant = "nonroot";
  std::vector<Note> notes;
  std::string why;
  if (has(dir, "go.mod")) {
    s.family = "static";
    why =
        "go.mod: a Go module; built with CGO_ENABLED=0 it is a static binary, so static "
        "(CA bundle, tzdata, accounts, no libc)";
    s.files.push_back({"build/server", "/app/server", "0755", "", "",
                       "CGO_ENABLED=0 go build -o build/server ."});
    s.entrypoint = {"/app/server"};
    s.has_entrypoint = true;
    notes.push_back({0,
                     "build first: CGO_ENABLED=0 go build -trimpath -o build/server . (with cgo, "
                     "use from: base.yaml and auto-deps: true)"});
  } else if (has(dir, "Cargo.toml")) {
    std::string bin = cargo_name(read_small(dir / "Cargo.toml"));
    if (bin.empty()) bin = "app";
    s.family = "cc";
    why =
        "Cargo.toml: a Rust program; it links libgcc_s and glibc, so cc (auto-deps adds what "
        "else it links)";
    s.auto_deps = true;
    s.files.push_back(
        {"target/release/" + bin, "/app/" + bin, "0755", "", "", "cargo build --release"});
    s.entrypoint = {"/app/" + bin};
    s.has_entrypoint = true;
    notes.push_back({0, "build first: cargo build --release"});
  } else if (has(dir, "package.json")) {
    s.family = "nodejs";
    auto pkg = nlohmann::json::parse(read_small(dir / "package.json"), nullptr, false);
    std::string main = "index.js";
    if (pkg.is_object() && pkg.contains("main") && pkg["main"].is_string()) main = pkg["main"];
    why = "package.json: a Node.js app, so nodejs (Debian's node is the entrypoint)";
    s.files.push_back({main, "/app/" + main, "0644", "", "", ""});
    s.files.push_back({"package.json", "/app/package.json", "0644", "", "", ""});
    s.files.push_back({"node_modules", "/app/node_modules", "", "", "", "npm ci --omit=dev"});
    s.workdir = "/app";
    s.cmd = {"/app/" + main};
    s.has_cmd = true;
    notes.push_back({0, "build first: npm ci --omit=dev (node_modules is copied as it is)"});
  } else if (has(dir, "pyproject.toml") || has(dir, "requirements.txt")) {
    s.family = "python3";
    std::string main = first_existing(dir, {"main.py", "app.py", "__main__.py", "manage.py"});
    if (main.empty()) main = "main.py";
    why = "a Python project, so python3 (the interpreter is the entrypoint)";
    s.files.push_back({main, "/app/" + main, "0644", "", "", ""});
    s.workdir = "/app";
    s.entrypoint = {"/usr/bin/python3", "/app/" + main};
    s.has_entrypoint = true;
    std::string reqs = read_small(dir / "requirements.txt");
    std::string names;
    for (size_t at = 0; at < reqs.size();) {
      size_t nl = reqs.find('\n', at);
      std::string line = reqs.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
      at = nl == std::string::npos ? reqs.size() : nl + 1;
      size_t end = line.find_first_of("=<>~![ ;#");
      std::string name = line.substr(0, end);
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      if (!name.empty() && name[0] != '-') names += " python3-" + name;
    }
    if (!names.empty())
      notes.push_back(
          {0, "requirements.txt: Debian packages these modules as" + names +
                  " (check `pare resolve`), or copy a `pip install --target` directory"});
  } else if (has(dir, "pom.xml") || has(dir, "build.gradle") || has(dir, "build.gradle.kts")) {
    s.family = "java";
    why = "a Java build (Maven or Gradle), so java (the entrypoint is java -jar)";
    s.files.push_back(
        {"target/app.jar", "/app/app.jar", "0644", "", "", "the jar your build makes"});
    s.cmd = {"/app/app.jar"};
    s.has_cmd = true;
    notes.push_back(
        {0, "build first: the jar (mvn package / gradle jar); adjust its path in files:"});
  } else {
    std::string name;
    rootfs::ElfInfo elf;
    if (!find_elf(dir, name, elf))
      return Error(Errc::not_found,
                   dir.string() +
                       ": no go.mod, Cargo.toml, package.json, pyproject.toml, "
                       "requirements.txt, pom.xml, build.gradle or ELF executable found");
    bool is_static = elf.interpreter.empty() && elf.needed.empty();
    s.family = is_static ? "static" : "base";
    why = name + (is_static ? " is statically linked, so static"
                            : " is dynamically linked, so base with auto-deps (its libraries, "
                              "libstdc++ included, are found from the binary)");
    s.auto_deps = !is_static;
    s.files.push_back({name, "/app/" + name, "0755", "", "", ""});
    s.entrypoint = {"/app/" + name};
    s.has_entrypoint = true;
  }
  s.header = "Written by `pare init`: " + why + ".";
  s.comment_user =
      "variants: nonroot runs as uid 65532 with workdir /home/nonroot (add latest for root)";
  InitResult out{s.family, why, s.render(), notes};
  return out;
}

}  // namespace pare::init
