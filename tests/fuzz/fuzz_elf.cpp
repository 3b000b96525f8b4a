// Fuzz target: the ELF reader (rootfs/elf.h) and what ldconfig_scan_dir and
// ld_so_cache (rootfs/ldcache.h) make of whatever it accepts.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rootfs/elf.h"
#include "rootfs/ldcache.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto elf = pare::rootfs::read_elf(bytes);
  if (!elf.ok()) return 0;
  pare::rootfs::LibraryDirEntry entry{"libfuzz.so.1", false, *elf};
  for (const char* arch : {"amd64", "armhf", "riscv64", "s390x"}) {
    auto libs = pare::rootfs::ldconfig_scan_dir("/usr/lib", {entry}, arch);
    auto cache = pare::rootfs::ld_so_cache(libs, arch, "fuzz");
    (void)cache;
  }
  return 0;
}
