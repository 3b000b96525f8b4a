// Times the index stage's own work on a decompressed Packages file: building
// the stanza index, loading it back from its serialized form, and a lookup.
// Prints JSON:   pare_index_bench PACKAGES [runs]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "deb/stanza_index.h"
#include "util/fs.h"

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PACKAGES [runs]\n", argv[0]);
    return 2;
  }
  int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  auto text = pare::fs::MappedFile::open(argv[1]);
  if (!text.ok()) {
    std::fprintf(stderr, "%s\n", text.error().message().c_str());
    return 1;
  }
  std::vector<double> build, load;
  size_t stanzas = 0, bytes = 0;
  for (int i = 0; i < std::max(runs, 1); ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto index = pare::deb::StanzaIndex::build(text->bytes());
    build.push_back(seconds_since(t0));
    std::string serialized = index.serialize();
    bytes = serialized.size();
    stanzas = index.size();
    t0 = std::chrono::steady_clock::now();
    auto loaded = pare::deb::StanzaIndex::load(serialized, text->bytes());
    load.push_back(seconds_since(t0));
    if (!loaded.ok() || loaded->lookup("libc6").empty()) {
      std::fprintf(stderr, "load failed or libc6 missing\n");
      return 1;
    }
  }
  std::printf(
      "{\"stanzas\": %zu, \"text_bytes\": %zu, \"index_bytes\": %zu, \"build_s\": %.4f, "
      "\"load_s\": %.4f}\n",
      stanzas, text->size(), bytes, median(build), median(load));
  return 0;
}
