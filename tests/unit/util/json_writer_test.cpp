// JsonWriter writes what nlohmann::json's dump(2, ' ', false, replace) writes for the same
// value: checked on fixed documents, on every awkward byte, and on random strings and trees.
#include "util/json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

using namespace pare;
using nlohmann::json;

namespace {

std::string nlohmann_text(const json& j) {
  return j.dump(2, ' ', false, json::error_handler_t::replace);
}

// Writes `j` through JsonWriter (objects' keys in nlohmann's own, sorted, order).
void write(JsonWriter& w, const json& j) {
  if (j.is_object()) {
    w.begin_object();
    for (const auto& [k, v] : j.items()) {
      w.key(k);
      write(w, v);
    }
    w.end();
  } else if (j.is_array()) {
    w.begin_array();
    for (const auto& v : j) write(w, v);
    w.end();
  } else if (j.is_string()) {
    w.string(j.get_ref<const std::string&>());
  } else if (j.is_boolean()) {
    w.boolean(j.get<bool>());
  } else {
    w.number(j.get<int64_t>());
  }
}

std::string writer_text(const json& j) {
  JsonWriter w;
  write(w, j);
  return w.take();
}

std::string random_bytes(std::mt19937& rng, size_t max_len) {
  std::uniform_int_distribution<int> len(0, static_cast<int>(max_len)), byte(0, 255), pick(0, 3);
  std::string s;
  for (int n = len(rng); n > 0; --n) {
    // Mostly the bytes that matter: ASCII, continuation bytes and lead bytes.
    static const unsigned char interesting[] = {0x00, 0x1F, '"',  '\\', 0x7F, 0x80, 0xBF,
                                                0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0,
                                                0xF4, 0xF5, 0xFF, 0xA0, 0x9F, 0x8F, 0x90};
    int p = pick(rng);
    s += static_cast<char>(p == 0 ? interesting[byte(rng) % sizeof interesting]
                                  : (p == 1 ? 'a' + byte(rng) % 26 : byte(rng)));
  }
  return s;
}

}  // namespace

TEST(JsonWriter, WritesWhatNlohmannDumps) {
  for (const char* text : {R"({})", R"([])", R"({"a": []})", R"({"b": {}, "a": [1, -2, true]})",
                           R"([{"x": "y"}, [], [[false]], "s"])",
                           R"({"SPDXID": "x", "creationInfo": {"creators": ["Tool: pare"]}})"}) {
    json j = json::parse(text);
    EXPECT_EQ(writer_text(j), nlohmann_text(j)) << text;
  }
}

TEST(JsonWriter, EscapesEveryByteAsNlohmannDoes) {
  for (int c = 0; c < 256; ++c) {
    std::string s = "a" + std::string(1, static_cast<char>(c)) + "b";
    EXPECT_EQ(writer_text(json(s)), nlohmann_text(json(s))) << "byte " << c;
  }
  for (std::string s :
       {"\xE2\x28\xA1", "\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF0\x9F\x98",
        "\xF0\x9F\x98\x80", "caf\xC3\xA9", "\xE2\x82", "\xF0\x28\x8C\xBC", "\xEF\xBF\xBD"})
    EXPECT_EQ(writer_text(json(s)), nlohmann_text(json(s)))
        << json(s).dump(-1, ' ', true, json::error_handler_t::replace);
}

TEST(JsonWriter, RandomStringsAndTreesMatchNlohmann) {
  std::mt19937 rng(12345);
  for (int i = 0; i < 20000; ++i) {
    std::string s = random_bytes(rng, 12);
    ASSERT_EQ(writer_text(json(s)), nlohmann_text(json(s)))
        << json(s).dump(-1, ' ', true, json::error_handler_t::replace);
  }
  std::uniform_int_distribution<int> kind(0, 5), width(0, 4);
  std::function<json(int)> tree = [&](int depth) -> json {
    switch (depth > 3 ? 2 + kind(rng) % 3 : kind(rng)) {
      case 0: {
        json o = json::object();
        for (int n = width(rng); n > 0; --n) o[random_bytes(rng, 4)] = tree(depth + 1);
        return o;
      }
      case 1: {
        json a = json::array();
        for (int n = width(rng); n > 0; --n) a.push_back(tree(depth + 1));
        return a;
      }
      case 2:
        return random_bytes(rng, 6);
      case 3:
        return static_cast<int64_t>(rng()) - (1LL << 31);
      default:
        return kind(rng) % 2 == 0;
    }
  };
  for (int i = 0; i < 2000; ++i) {
    json j = tree(0);
    ASSERT_EQ(writer_text(j), nlohmann_text(j)) << nlohmann_text(j);
  }
}
