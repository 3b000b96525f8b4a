// Fuzzes the spec parser, the from: chain and everything computed from a loaded spec.
// The input is the spec at /fuzz/spec.yaml. Through the loader, base.yaml is a fixed valid
// parent, and every other *.yaml under /fuzz is the input again, so `from:` exercises cycles
// and the chain length limit without touching the disk.
#include <cstddef>
#include <cstdint>
#include <string>

#include "spec/spec.h"

namespace {
constexpr const char* kBase = R"(source: {suite: bookworm}
packages: [libc6, {name: libssl3t64, suites: [trixie]}]
exclude: [debconf]
env: {A: b}
)";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pare;
  std::string text(reinterpret_cast<const char*>(data), size);
  spec::FileLoader loader = [&](const std::filesystem::path& p) -> Result<std::string> {
    if (p.filename() == "base.yaml") return std::string(kBase);
    if (p.extension() == ".yaml" && p.string().starts_with("/fuzz/")) return text;
    return Error(Errc::not_found, "no such file: " + p.string());
  };
  for (const char* suite : {"", "trixie"}) {
    spec::LoadOptions options;
    if (*suite) options.suite = suite;
    auto loaded = spec::load_spec_with("/fuzz/spec.yaml", options, loader);
    if (!loaded) continue;
    (void)spec::package_set_fingerprint(*loaded);
    for (const auto& v : spec::variant_names()) (void)spec::apply_variant(*loaded, v);
  }
  return 0;
}
