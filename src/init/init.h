// `pare init`: a first spec for a project, on the base the distroless guide's decision tree
// picks (static binaries -> static, glibc programs -> base with auto-deps (C++ gets
// libstdc++ from it), Node -> nodejs, Python -> python3, Java -> java), nonroot by default;
// and `pare init --from-dockerfile`: the final stage of a Dockerfile translated into a spec,
// with a list (by line) of what could not be translated and what must be built first.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "init/dockerfile.h"
#include "util/result.h"

namespace pare::init {

struct Note {
  int line = 0;  // 0 = not about one line
  std::string text;
};

struct InitResult {
  std::string family;  // static, base, cc, python3, nodejs, java, or "scratch"
  std::string why;     // one sentence: what was found and why this base
  std::string spec;    // the spec's YAML, commented
  std::vector<Note> notes;
};

// Where the family specs (static.yaml, base.yaml, ...) are, relative to the directory the spec
// is written in: what `from:` names.
struct InitOptions {
  std::string families = "../examples";  // relative path from the spec's directory
  std::string name;                      // image name ("" = the directory's name)
  std::string suite = "bookworm";
};

// Looks at `dir` (go.mod, Cargo.toml, package.json, pyproject.toml / requirements.txt,
// pom.xml / build.gradle / *.jar, a prebuilt ELF executable) and writes a spec for it.
// Errc::not_found when nothing is recognised (the message lists what was looked for).
Result<InitResult> init_project(const std::filesystem::path& dir, const InitOptions& options);

// The final stage of a Dockerfile as a spec.
Result<InitResult> init_from_dockerfile(const Dockerfile& dockerfile, const InitOptions& options);

// "python3-debian12:nonroot" and the like -> {family, variant, suite}; family "" when unknown.
struct BaseGuess {
  std::string family, variant, suite, why;
};
BaseGuess map_base_image(const std::string& image);

}  // namespace pare::init
