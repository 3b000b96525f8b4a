// Fuzz target: the Contents index reader (deb/contents.h) — the archive's Contents-ARCH text
// reduced to shared objects, and the cached form read back — and what deps::analyse makes of
// the index it gives.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "deb/contents.h"
#include "deps/deps.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto reduced = pare::deb::shared_objects_of_contents(bytes);
  if (reduced.ok()) {
    auto index = pare::deb::LibraryIndex::parse(*reduced);
    if (!index.ok()) __builtin_trap();  // what the reducer writes must read back
    pare::deps::ElfFile app{"/app/bin/server", {}};
    app.elf.needed = {"libz.so.1", "libc.so.6"};
    app.elf.interpreter = "/lib64/ld-linux-x86-64.so.2";
    app.elf.runpath = "$ORIGIN/../lib";
    (void)pare::deps::analyse({app}, {"/app/bin/server"}, *index, "amd64", "fuzz");
  }
  (void)pare::deb::LibraryIndex::parse(std::string(bytes));
  return 0;
}
