// A streaming JSON writer for large generated documents (the SBOMs: an app's image lists every
// file it added, hundreds to thousands of objects). It writes exactly what nlohmann::json's
// dump(2) writes for the same value when the caller gives each object's keys in ascending
// byte order (as nlohmann's std::map keeps them): two-space indentation, "key": value, {} and
// [] when empty, strings escaped as RFC 8259 requires with UTF-8 passed through and each
// invalid UTF-8 sequence replaced by U+FFFD (nlohmann's error_handler_t::replace). Building a
// nlohmann value first costs an allocation per member and most of an SBOM's time; this does not.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pare {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& begin_array();
  JsonWriter& end();  // closes the innermost object or array
  // The next value is this member's (inside an object).
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view value);
  JsonWriter& number(int64_t value);
  JsonWriter& boolean(bool value);
  // key(name).string(value)
  JsonWriter& member(std::string_view name, std::string_view value) {
    return key(name).string(value);
  }
  // The text so far (a whole document once every object and array is closed).
  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void before_value();

  struct Open {
    char close;
    bool empty = true;
  };
  std::vector<Open> open_;
  std::string out_;
  bool after_key_ = false;
};

// `text` as a JSON string literal, quotes included (the escaping JsonWriter::string uses).
void append_json_string(std::string& out, std::string_view text);

}  // namespace pare
