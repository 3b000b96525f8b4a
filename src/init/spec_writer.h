// The spec `pare init` writes: fields filled by detection or translation, rendered as
// commented YAML that load_spec reads back (strings quoted as JSON, which YAML accepts).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace pare::init {

struct FileEntry {
  std::string src, dest, mode, uid, gid, comment;
};

struct SpecWriter {
  std::string header;            // first comment line(s)
  std::string family, families;  // from: <families>/<family>.yaml, or scratch
  std::string suite, name, variant;
  std::vector<std::string> packages;
  bool auto_deps = false;
  std::string auto_deps_comment;
  std::vector<FileEntry> files;
  std::vector<std::pair<std::string, std::string>> env, labels;
  std::string workdir, user, comment_user, stop_signal;
  std::vector<std::string> ports, volumes, entrypoint, cmd;
  bool has_entrypoint = false, has_cmd = false;
  std::vector<std::string> healthcheck;  // the command, without "CMD"
  std::vector<std::pair<std::string, std::string>> healthcheck_options;
  bool healthcheck_none = false;
  std::vector<std::string> trailing_comments;  // "# ..." lines at the end

  std::string render() const;
};

}  // namespace pare::init
