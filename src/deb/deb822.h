// The Debian control-file format ("deb822"), Debian Policy 5.1, as used by
// Packages, Release/InRelease and apt's .sources files.
//
// - A paragraph is a run of fields; paragraphs are separated by one or more
//   blank lines (empty, or only spaces/tabs, which Policy allows parsers to accept).
// - A field is "Name: value". The name is printable US-ASCII without ':' and
//   must not start with '#' or '-'. The value's surrounding whitespace is dropped.
// - A line starting with a space or tab continues the previous field.
// - A line starting with '#' is a comment (apt's .sources, debian/control) and
//   is skipped, also between the continuation lines of a field.
//
// Multi-line values are kept in the raw form dpkg keeps them: the first line's
// text, then for each continuation line '\n' followed by that line with its one
// leading space (or tab) removed and trailing whitespace dropped. So
//   "Description: short\n long line\n .\n  indented"
// gives "short\nlong line\n.\n indented", and a field whose first line is empty
// ("SHA256:" followed by continuation lines) has a value starting with '\n'.
// " ." lines stay "." (undoing that Policy convention is up to the consumer).
// A trailing "\r" (CRLF files) is treated as whitespace.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pare::deb {

struct Field {
  std::string name;
  std::string value;
  int line = 0;  // 1-based line of the field's first line
};

struct Paragraph {
  std::vector<Field> fields;
  int line = 0;  // 1-based line of the first field

  // Field names are case-insensitive (Policy 5.1).
  const Field* find(std::string_view name) const;
  std::string get(std::string_view name, std::string_view fallback = "") const;
};

// Parse all paragraphs. Errors are Errc::invalid and name "source_name:line".
Result<std::vector<Paragraph>> parse_deb822(std::string_view text, std::string_view source_name);

// Streaming form for large files (a Packages file has ~60k paragraphs): each
// paragraph is handed to fn as soon as it is complete; an error from fn stops
// the parse and is returned.
Result<void> for_each_paragraph(std::string_view text, std::string_view source_name,
                                const std::function<Result<void>(const Paragraph&)>& fn);

// Case-insensitive ASCII comparison (field names, "yes"/"no" values).
bool iequals(std::string_view a, std::string_view b);

// Split a value on spaces, tabs and newlines (Architectures, Components, ...).
std::vector<std::string> split_words(std::string_view value);

}  // namespace pare::deb
