// init_from_dockerfile: a Dockerfile's final stage as a pare spec (init.h).
#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "init/init.h"
#include "init/spec_writer.h"
#include "oci/image.h"

namespace pare::init {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

bool contains(const std::string& s, const char* part) {
  return s.find(part) != std::string::npos;
}

std::string flag_value(const Instruction& in, const std::string& name) {
  for (const auto& f : in.flags)
    if (f.rfind("--" + name + "=", 0) == 0) return f.substr(name.size() + 3);
  return "";
}

std::string unquote(std::string v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
    v = v.substr(1, v.size() - 2);
  return v;
}

std::string basename_of(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string join_path(const std::string& dir, const std::string& rel) {
  if (!rel.empty() && rel.front() == '/') return rel;
  std::string d = dir.empty() ? "/" : dir;
  return d.back() == '/' ? d + rel : d + "/" + rel;
}

// KEY=VALUE pairs (ENV, LABEL), or the legacy "ENV KEY VALUE" form.
std::vector<std::pair<std::string, std::string>> key_values(const Instruction& in) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!in.words.empty() && in.words[0].find('=') == std::string::npos) {
    std::string value =
        in.args.size() > in.words[0].size() ? in.args.substr(in.words[0].size()) : "";
    size_t b = value.find_first_not_of(' ');
    out.emplace_back(in.words[0], unquote(b == std::string::npos ? "" : value.substr(b)));
    return out;
  }
  for (const auto& w : in.words) {
    size_t eq = w.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    out.emplace_back(unquote(w.substr(0, eq)), unquote(w.substr(eq + 1)));
  }
  return out;
}

struct Translator {
  const Dockerfile& df;
  const InitOptions& options;
  SpecWriter spec;
  std::vector<Note> notes;
  std::string workdir;

  void note(int line, const std::string& text) { notes.push_back({line, text}); }

  // A stage named by --from= (a name or an index), or nullptr for an outside image.
  const Stage* stage_named(const std::string& from) const {
    for (const auto& s : df.stages)
      if (!s.name.empty() && s.name == lower(from)) return &s;
    if (!from.empty() && std::all_of(from.begin(), from.end(), ::isdigit)) {
      size_t i = std::stoul(from);
      if (i < df.stages.size()) return &df.stages[i];
    }
    return nullptr;
  }

  void owner(const Instruction& in, FileEntry& f) {
    std::string chown = flag_value(in, "chown");
    if (chown.empty()) return;
    std::string user = chown.substr(0, chown.find(':'));
    std::string group =
        chown.find(':') == std::string::npos ? user : chown.substr(chown.find(':') + 1);
    auto id = [&](const std::string& n) -> std::string {
      if (!n.empty() && std::all_of(n.begin(), n.end(), ::isdigit)) return n;
      if (n == "nonroot") return "65532";
      if (n == "root") return "0";
      note(in.line,
           "--chown=" + chown + ": user '" + n + "' is unknown here; set uid/gid by number");
      return "";
    };
    f.uid = id(user);
    f.gid = id(group);
  }

  void copy(const Instruction& in) {
    if (in.words.size() < 2) {
      note(in.line, in.keyword + " needs a source and a destination");
      return;
    }
    std::string from = flag_value(in, "from");
    const Stage* stage = from.empty() ? nullptr : stage_named(from);
    if (!from.empty() && !stage) {
      note(in.line, in.keyword + " --from=" + from +
                        " copies from another image: not translated (pull its files with "
                        "`pare pull` and copy them into the build context)");
      return;
    }
    std::string dest = in.words.back();
    bool many = in.words.size() > 2;
    for (size_t i = 0; i + 1 < in.words.size(); ++i) {
      std::string src = in.words[i];
      if (in.keyword == "ADD" && (contains(src, "://") || contains(src, "git@"))) {
        note(in.line, "ADD " + src + ": a download, not translated (fetch it before the build)");
        continue;
      }
      FileEntry f;
      bool glob = src.find_first_of("*?[") != std::string::npos;
      if (glob) {
        // pare copies named files: a glob becomes the one file it should match.
        std::string named = (many || dest.back() == '/') ? basename_of(src) : basename_of(dest);
        named.erase(
            std::remove_if(named.begin(), named.end(),
                           [](char c) { return c == '*' || c == '?' || c == '[' || c == ']'; }),
            named.end());
        note(in.line, in.keyword + " " + src + ": a glob; written as the file '" + named +
                          "' (list each file it matches)");
        src = src.substr(0, src.rfind('/') == std::string::npos ? 0 : src.rfind('/') + 1) + named;
      }
      if (stage) {
        // The builder stage's output is expected under build/ in the context.
        f.src = "build/" + basename_of(src);
        std::string what = stage->name.empty() ? "stage " + from : "stage '" + stage->name + "'";
        note(in.line, "build first: " + what + " (line " + std::to_string(stage->line) +
                          ") makes " + src + "; put it at " + f.src);
      } else {
        f.src = src.rfind("./", 0) == 0 ? src.substr(2) : src;
        if (f.src.empty() || f.src == ".") f.src = ".";
      }
      std::string d = join_path(workdir, dest);
      if (many || dest.back() == '/') d = join_path(d, basename_of(src));
      d = std::filesystem::path(d).lexically_normal().generic_string();
      while (d.size() > 1 && d.back() == '/') d.pop_back();
      f.dest = d;
      f.mode = flag_value(in, "chmod");
      owner(in, f);
      f.comment = "line " + std::to_string(in.line);
      spec.files.push_back(f);
    }
  }

  std::vector<std::string> command(const Instruction& in) {
    if (!in.exec_form && !in.words.empty())
      note(in.line, in.keyword +
                        " in shell form needs /bin/sh, which the image does not have: "
                        "written as a list split on blanks; check it");
    std::vector<std::string> words = in.words;
    // The runtime families' entrypoint is their interpreter: a CMD that names it again
    // (["node", "server.js"], ["python", "-m", ...]) would run it twice.
    static const std::map<std::string, std::vector<std::string>> interpreters = {
        {"nodejs", {"node", "nodejs", "/usr/bin/node"}},
        {"python3", {"python", "python3", "/usr/bin/python3", "/usr/local/bin/python"}},
        {"java", {"java", "/usr/bin/java"}}};
    auto it = interpreters.find(spec.family);
    if (in.keyword == "CMD" && !words.empty() && it != interpreters.end() &&
        std::find(it->second.begin(), it->second.end(), words[0]) != it->second.end()) {
      note(in.line, "CMD starts with " + words[0] + ", which is already the " + spec.family +
                        " image's entrypoint: dropped from cmd");
      words.erase(words.begin());
      if (spec.family == "java" && !words.empty() && words[0] == "-jar") words.erase(words.begin());
    }
    return words;
  }

  void healthcheck(const Instruction& in) {
    if (!in.words.empty() && lower(in.words[0]) == "none") {
      spec.healthcheck_none = true;
      return;
    }
    std::string rest = in.args.size() > 3 ? in.args.substr(3) : "";
    size_t b = rest.find_first_not_of(' ');
    rest = b == std::string::npos ? "" : rest.substr(b);
    if (in.words.empty() || lower(in.words[0]) != "cmd") {
      note(in.line, "HEALTHCHECK: expected CMD or NONE");
      return;
    }
    auto j = nlohmann::json::parse(rest, nullptr, false);
    if (!j.is_discarded() && j.is_array()) {
      for (const auto& v : j)
        if (v.is_string()) spec.healthcheck.push_back(v.get<std::string>());
    } else {
      spec.healthcheck.assign(in.words.begin() + 1, in.words.end());
      note(in.line, "HEALTHCHECK in shell form needs /bin/sh: written as a list; check it");
    }
    for (const char* opt : {"interval", "timeout", "start-period", "retries"}) {
      std::string v = flag_value(in, opt);
      if (!v.empty()) spec.healthcheck_options.emplace_back(opt, v);
    }
    if (!spec.healthcheck.empty() && spec.healthcheck.front().front() != '/')
      note(in.line, "HEALTHCHECK: the command must be an absolute path in a distroless image");
  }

  void run(const Instruction& in) {
    std::string words = " " + in.args + " ";
    std::string hint;
    for (const char* installer : {"apk add", "apt-get install", "apt install"}) {
      size_t at = words.find(installer);
      if (at == std::string::npos) continue;
      std::vector<std::string> pkgs;
      for (const auto& w : in.words)
        if (!w.empty() && w[0] != '-' && w != "apk" && w != "add" && w != "apt-get" && w != "apt" &&
            w != "install" && w != "&&" && w.find('=') == std::string::npos)
          pkgs.push_back(w);
      hint = "; it installs packages (" + std::string(installer) + ":";
      for (const auto& p : pkgs) hint += " " + p;
      hint += "): name their Debian equivalents under packages:";
    }
    note(in.line,
         "RUN in the final stage: not translated (a distroless image runs nothing at "
         "build time)" +
             hint);
  }

  void translate(const Instruction& in) {
    const std::string& k = in.keyword;
    if (k == "COPY" || k == "ADD") {
      copy(in);
    } else if (k == "ENV") {
      for (auto& kv : key_values(in)) {
        // $PATH is the one variable whose value is known: the image's default PATH.
        for (const char* var : {"${PATH}", "$PATH"})
          for (size_t at = kv.second.find(var); kv.first == "PATH" && at != std::string::npos;
               at = kv.second.find(var))
            kv.second.replace(at, std::string_view(var).size(), oci::kDefaultPath);
        if (kv.second.find('$') != std::string::npos)
          note(in.line,
               "ENV " + kv.first + ": variables ($...) are not expanded; write the value out");
        spec.env.push_back(kv);
      }
    } else if (k == "LABEL") {
      for (auto& kv : key_values(in)) spec.labels.push_back(kv);
    } else if (k == "WORKDIR") {
      workdir = join_path(workdir, in.args);
      spec.workdir = workdir;
    } else if (k == "USER") {
      spec.user = in.args;
    } else if (k == "EXPOSE") {
      for (const auto& p : in.words)
        spec.ports.push_back(p.find('/') == std::string::npos ? p + "/tcp" : p);
    } else if (k == "ENTRYPOINT") {
      spec.entrypoint = command(in);
      spec.has_entrypoint = true;
    } else if (k == "CMD") {
      spec.cmd = command(in);
      spec.has_cmd = true;
    } else if (k == "HEALTHCHECK") {
      healthcheck(in);
    } else if (k == "STOPSIGNAL") {
      spec.stop_signal = in.args;
    } else if (k == "VOLUME") {
      for (const auto& v : in.words) spec.volumes.push_back(v);
    } else if (k == "RUN") {
      run(in);
    } else if (k == "ARG") {
      note(in.line, "ARG " + in.args + ": build arguments are not substituted; write values in");
    } else {
      note(in.line, k + ": not translated");
    }
  }
};

}  // namespace

Result<InitResult> init_from_dockerfile(const Dockerfile& df, const InitOptions& options) {
  const Stage& final = df.stages.back();
  Translator t{df, options, {}, {}, ""};
  BaseGuess base = map_base_image(final.image);
  const Stage* from_stage = nullptr;
  for (const auto& s : df.stages)
    if (&s != &final && !s.name.empty() && s.name == lower(final.image)) from_stage = &s;
  if (from_stage)
    return Error(Errc::unsupported, "Dockerfile:" + std::to_string(final.line) +
                                        ": the final stage builds on stage '" + from_stage->name +
                                        "'; pare needs an image or a family to start from");
  if (base.family.empty()) {
    t.note(final.line,
           "FROM " + final.image + ": no pare family matches; base chosen (edit from:)");
    base = {"base", "nonroot", "bookworm",
            "an image pare does not know: base, the smallest with libc"};
  }
  t.spec.family = base.family;
  t.spec.families = options.families;
  t.spec.suite = base.suite.empty() ? options.suite : base.suite;
  t.spec.name = options.name;
  t.spec.variant = base.variant.empty() ? "nonroot" : base.variant;
  t.spec.header = "Translated by `pare init --from-dockerfile` from the final stage (line " +
                  std::to_string(final.line) + ": FROM " + final.image + "): " + base.why + ".";
  for (const auto& s : df.stages)
    if (&s != &final)
      t.note(s.line, "stage " + (s.name.empty() ? std::string("(unnamed)") : "'" + s.name + "'") +
                         " (FROM " + s.image + ") is a build stage: build it first, outside pare");
  for (const auto& in : final.instructions) t.translate(in);
  if (t.spec.variant == "nonroot" && t.spec.user.empty())
    t.spec.comment_user = "nonroot by default (uid 65532); the Dockerfile set no USER";
  InitResult out;
  out.family = base.family;
  out.why = base.why;
  out.spec = t.spec.render();
  out.notes = std::move(t.notes);
  return out;
}

}  // namespace pare::init
