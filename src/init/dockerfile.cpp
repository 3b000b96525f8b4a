#include "init/dockerfile.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace pare::init {

namespace {

constexpr size_t kMaxDockerfile = 1 << 20;

const char* const kKeywords[] = {"ADD",        "ARG",     "CMD",    "COPY",        "ENTRYPOINT",
                                 "ENV",        "EXPOSE",  "FROM",   "HEALTHCHECK", "LABEL",
                                 "MAINTAINER", "ONBUILD", "RUN",    "SHELL",       "STOPSIGNAL",
                                 "USER",       "VOLUME",  "WORKDIR"};

// "LINE: why"; parse_dockerfile puts the file's name in front.
Error bad(int line, const std::string& why) {
  return Error(Errc::invalid, std::to_string(line) + ": " + why);
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::vector<std::string> split_blanks(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

// Logical lines: continuation (the escape character at the end of a line) joined, comment
// lines dropped (also inside a continued instruction, as Docker does).
struct LogicalLine {
  int line;
  std::string text;
};

std::vector<LogicalLine> logical_lines(std::string_view text, char escape) {
  std::vector<LogicalLine> out;
  std::string current;
  int start = 0, number = 0;
  bool continuing = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string line(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string stripped = trim(line);
    if (stripped.empty() && !continuing) continue;
    if (!stripped.empty() && stripped.front() == '#') continue;
    if (!continuing) start = number;
    std::string t = trim(line);
    continuing = !t.empty() && t.back() == escape;
    if (continuing) t.pop_back();
    current += (current.empty() ? "" : " ") + trim(t);
    if (!continuing) {
      out.push_back({start, current});
      current.clear();
    }
  }
  if (!current.empty()) out.push_back({start, current});
  return out;
}

// `# escape=`` ` among the parser directives at the top of the file.
char escape_of(std::string_view text) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string line = trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line.front() != '#') break;
    std::string body = trim(line.substr(1));
    std::transform(body.begin(), body.end(), body.begin(), ::tolower);
    if (body.rfind("escape", 0) == 0) {
      size_t eq = body.find('=');
      if (eq != std::string::npos) {
        std::string v = trim(body.substr(eq + 1));
        if (v == "`") return '`';
      }
    }
  }
  return '\\';
}

Result<Instruction> parse_instruction(const LogicalLine& l) {
  Instruction in;
  in.line = l.line;
  size_t sp = 0;
  while (sp < l.text.size() && !std::isspace(static_cast<unsigned char>(l.text[sp]))) ++sp;
  in.keyword = l.text.substr(0, sp);
  std::transform(in.keyword.begin(), in.keyword.end(), in.keyword.begin(), ::toupper);
  if (std::find(std::begin(kKeywords), std::end(kKeywords), in.keyword) == std::end(kKeywords))
    return bad(l.line, "unknown instruction '" + l.text.substr(0, std::min<size_t>(sp, 40)) + "'");
  std::string rest = trim(std::string_view(l.text).substr(sp));
  // Leading --flags (COPY --from=, --chown=, FROM --platform=, HEALTHCHECK --interval=).
  while (rest.rfind("--", 0) == 0) {
    size_t end = 0;
    while (end < rest.size() && !std::isspace(static_cast<unsigned char>(rest[end]))) ++end;
    in.flags.push_back(rest.substr(0, end));
    rest = trim(std::string_view(rest).substr(end));
  }
  in.args = rest;
  if (!rest.empty() && rest.front() == '[') {
    auto j = nlohmann::json::parse(rest, nullptr, false);
    if (!j.is_discarded() && j.is_array() &&
        std::all_of(j.begin(), j.end(), [](const auto& v) { return v.is_string(); })) {
      in.exec_form = true;
      for (const auto& v : j) in.words.push_back(v.get<std::string>());
      return in;
    }
  }
  in.words = split_blanks(rest);
  return in;
}

Result<Dockerfile> parse_text(std::string_view text) {
  if (text.size() > kMaxDockerfile) return bad(0, "the file is larger than 1 MiB");
  if (text.find('\0') != std::string_view::npos) return bad(0, "the file holds a NUL byte");
  Dockerfile out;
  for (const auto& l : logical_lines(text, escape_of(text))) {
    PARE_TRY(Instruction in, parse_instruction(l));
    if (in.keyword == "FROM") {
      Stage s;
      s.line = in.line;
      if (in.words.empty()) return bad(in.line, "FROM without an image");
      s.image = in.words[0];
      if (in.words.size() >= 3) {
        std::string as = in.words[1];
        std::transform(as.begin(), as.end(), as.begin(), ::toupper);
        if (as != "AS") return bad(in.line, "expected FROM IMAGE [AS NAME]");
        s.name = in.words[2];
        std::transform(s.name.begin(), s.name.end(), s.name.begin(), ::tolower);
      } else if (in.words.size() == 2) {
        return bad(in.line, "expected FROM IMAGE [AS NAME]");
      }
      out.stages.push_back(std::move(s));
    } else if (out.stages.empty()) {
      if (in.keyword != "ARG") return bad(in.line, in.keyword + " before the first FROM");
      out.before_first_stage.push_back(std::move(in));
    } else {
      out.stages.back().instructions.push_back(std::move(in));
    }
  }
  if (out.stages.empty()) return bad(0, "no FROM instruction: not a Dockerfile");
  return out;
}

}  // namespace

Result<Dockerfile> parse_dockerfile(std::string_view text, const std::string& name) {
  auto parsed = parse_text(text);
  if (!parsed.ok()) return Error(parsed.error().code(), name + ":" + parsed.error().message());
  return parsed;
}

}  // namespace pare::init
