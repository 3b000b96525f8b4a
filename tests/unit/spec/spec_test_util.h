// Helpers for the spec tests: an in-memory file system for load_spec_with.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "spec/spec.h"

namespace pare::spec::testing {

class MemoryFiles {
 public:
  MemoryFiles& add(const std::string& path, const std::string& text) {
    files_[std::filesystem::path(path).lexically_normal()] = text;
    return *this;
  }
  FileLoader loader() const {
    return [this](const std::filesystem::path& p) -> Result<std::string> {
      auto it = files_.find(p);
      if (it == files_.end()) return Error(Errc::not_found, "no such file: " + p.string());
      return it->second;
    };
  }
  Result<Spec> load(const std::string& path, const LoadOptions& options = {}) const {
    return load_spec_with(path, options, loader());
  }

 private:
  std::map<std::filesystem::path, std::string> files_;
};

// Loads `text` as /t/spec.yaml (with an optional suite for specs that set none).
inline Result<Spec> load_text(const std::string& text, const LoadOptions& options = {}) {
  MemoryFiles files;
  files.add("/t/spec.yaml", text);
  return files.load("/t/spec.yaml", options);
}

}  // namespace pare::spec::testing
