// What pare needs to know about an ELF file to do natively what ldconfig does
// (the /etc/ld.so.cache generator, ldcache.h) and to find the libraries an
// application needs (deps/): its type, machine, SONAME, DT_NEEDED entries,
// search paths (DT_RUNPATH, DT_RPATH) and program interpreter.
//
// The reader follows the System V ABI (ELF gABI, "Object Files" and "Program
// Loading") for 32- and 64-bit, little- and big-endian files, and reads the
// dynamic section the way glibc's ldconfig does (elf/readelflib.c): through
// the program headers (PT_DYNAMIC, PT_INTERP), translating DT_STRTAB's address
// to a file offset with the PT_LOAD segment that contains it. Section headers
// are not needed, so stripped files read the same.
//
// Every offset, size and count comes from the file and is checked against its
// length before use; nothing is read out of bounds whatever the bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pare::rootfs {

// e_machine values pare meets in Debian images (ELF gABI, "Machine").
inline constexpr uint16_t kElfMachine386 = 3;
inline constexpr uint16_t kElfMachineMips = 8;
inline constexpr uint16_t kElfMachinePpc = 20;
inline constexpr uint16_t kElfMachinePpc64 = 21;
inline constexpr uint16_t kElfMachineS390 = 22;
inline constexpr uint16_t kElfMachineArm = 40;
inline constexpr uint16_t kElfMachineX86_64 = 62;
inline constexpr uint16_t kElfMachineAarch64 = 183;
inline constexpr uint16_t kElfMachineRiscv = 243;
inline constexpr uint16_t kElfMachineLoongarch = 258;

inline constexpr uint16_t kElfTypeExec = 2;  // ET_EXEC
inline constexpr uint16_t kElfTypeDyn = 3;   // ET_DYN: shared objects and PIE executables

struct ElfInfo {
  // A shared library: ET_DYN that is not a position-independent executable
  // (no DF_1_PIE in DT_FLAGS_1, and not "has a program interpreter but no
  // SONAME", which is how PIEs linked before DF_1_PIE existed look). libc.so.6
  // has an interpreter and a SONAME and counts as a library.
  bool is_shared_object = false;
  std::string soname;               // DT_SONAME, "" when absent
  uint16_t machine = 0;             // e_machine
  bool is64 = false;                // ELFCLASS64
  std::string interpreter;          // PT_INTERP, "" when absent
  std::vector<std::string> needed;  // DT_NEEDED, in file order
  // DT_RUNPATH and DT_RPATH: ':'-separated directories, may hold $ORIGIN ("" when absent).
  // The dynamic loader ignores DT_RPATH when DT_RUNPATH is present (ld.so(8)).
  std::string runpath, rpath;

  uint16_t type = 0;        // e_type
  uint32_t flags = 0;       // e_flags (ARM float ABI, MIPS ABI/NaN, RISC-V float ABI)
  bool big_endian = false;  // ELFDATA2MSB
  // A PT_DYNAMIC segment whose DT_STRTAB could be located: ldconfig skips
  // ET_DYN files without one.
  bool has_dynamic = false;
};

// Errc::invalid for anything that is not ELF (bad magic, class or data
// encoding) and for malformed ELF: a header, program header table, dynamic
// segment, interpreter or dynamic string that lies outside `bytes`, or a
// dynamic string without its terminating NUL (within DT_STRSZ when given).
// A file without PT_DYNAMIC (a static executable) is valid: no soname, no
// needed entries, has_dynamic false. As in ldconfig, when a file has several
// PT_DYNAMIC or PT_INTERP segments the last one counts.
Result<ElfInfo> read_elf(std::string_view bytes);

// Whether `bytes` starts with the ELF magic ("\x7f" "ELF"); cheap, for callers
// deciding whether read_elf's error is worth reporting.
bool has_elf_magic(std::string_view bytes);
// The same for a file's first four bytes (false when it cannot be read): whether a file is
// worth reading whole.
bool file_has_elf_magic(const std::filesystem::path& path);

}  // namespace pare::rootfs
