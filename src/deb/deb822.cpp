#include "deb/deb822.h"

namespace pare::deb {

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_blank(s.front()) || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (is_blank(s.back()) || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

bool only_blanks(std::string_view s) {
  for (char c : s)
    if (!is_blank(c)) return false;
  return true;
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Policy 5.1: printable US-ASCII except ':' and space, not starting with '#' or '-'.
bool valid_field_name(std::string_view name) {
  if (name.empty() || name.front() == '#' || name.front() == '-') return false;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 32 || u >= 127 || c == ':') return false;
  }
  return true;
}

Error syntax_error(std::string_view source, int line, const std::string& what) {
  return Error(Errc::invalid, std::string(source) + ":" + std::to_string(line) + ": " + what);
}

// Walks the text line by line and assembles paragraphs.
class Parser {
 public:
  Parser(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  Result<void> run(const std::function<Result<void>(const Paragraph&)>& fn) {
    std::string_view line;
    while (next_line(line)) {
      if (!line.empty() && line.front() == '#') continue;
      if (only_blanks(line)) {
        PARE_CHECK(flush(fn));
      } else if (line.front() == ' ' || line.front() == '\t') {
        PARE_CHECK(continue_field(line));
      } else {
        PARE_CHECK(start_field(line));
      }
    }
    return flush(fn);
  }

 private:
  bool next_line(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    line = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    ++line_no_;
    return true;
  }

  Result<void> start_field(std::string_view line) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos)
      return syntax_error(source_, line_no_, "expected 'Field: value', got a line without ':'");
    std::string_view name = line.substr(0, colon);
    if (!valid_field_name(name))
      return syntax_error(source_, line_no_,
                          "invalid field name '" + std::string(trim(name)) + "'");
    for (const Field& f : current_.fields)
      if (iequals(f.name, name))
        return syntax_error(source_, line_no_,
                            "duplicate field '" + std::string(name) + "' in paragraph");
    if (current_.fields.empty()) current_.line = line_no_;
    current_.fields.push_back(
        Field{std::string(name), std::string(trim(line.substr(colon + 1))), line_no_});
    return {};
  }

  Result<void> continue_field(std::string_view line) {
    if (current_.fields.empty())
      return syntax_error(source_, line_no_, "continuation line outside of a field");
    std::string& value = current_.fields.back().value;
    value += '\n';
    value += trim_right(line.substr(1));
    return {};
  }

  Result<void> flush(const std::function<Result<void>(const Paragraph&)>& fn) {
    if (current_.fields.empty()) return {};
    Result<void> r = fn(current_);
    current_ = Paragraph{};
    return r;
  }

  std::string_view text_;
  std::string_view source_;
  size_t pos_ = 0;
  int line_no_ = 0;
  Paragraph current_;
};

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::vector<std::string> split_words(std::string_view value) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && (is_blank(value[i]) || value[i] == '\n')) ++i;
    size_t start = i;
    while (i < value.size() && !is_blank(value[i]) && value[i] != '\n') ++i;
    if (i > start) out.emplace_back(value.substr(start, i - start));
  }
  return out;
}

const Field* Paragraph::find(std::string_view name) const {
  for (const Field& f : fields)
    if (iequals(f.name, name)) return &f;
  return nullptr;
}

std::string Paragraph::get(std::string_view name, std::string_view fallback) const {
  const Field* f = find(name);
  return f ? f->value : std::string(fallback);
}

Result<void> for_each_paragraph(std::string_view text, std::string_view source_name,
                                const std::function<Result<void>(const Paragraph&)>& fn) {
  return Parser(text, source_name).run(fn);
}

Result<std::vector<Paragraph>> parse_deb822(std::string_view text, std::string_view source_name) {
  std::vector<Paragraph> out;
  PARE_CHECK(for_each_paragraph(text, source_name, [&](const Paragraph& p) -> Result<void> {
    out.push_back(p);
    return {};
  }));
  return out;
}

}  // namespace pare::deb
