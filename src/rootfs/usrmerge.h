// Merged /usr (Debian's usrmerge layout, the default from trixie on): the
// top-level directories bin, sbin, lib, lib32, lib64 and libx32 are symlinks
// to their /usr counterparts, so every file a package ships under them is
// stored under usr/ instead.
//
// Debian keeps sbin and bin apart (sbin -> usr/sbin), unlike Fedora/Arch's
// merge-usr (which also folds sbin into usr/bin).
//
// Paths are relative to the image root ("bin/ls"); a leading "/" or "./" is
// kept as given. All functions are lexical: they never look at a file system.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pare::rootfs {

// "bin/ls" -> "usr/bin/ls", "sbin/x" -> "usr/sbin/x", "lib/..." -> "usr/lib/...",
// likewise lib32, lib64, libx32; "bin" itself -> "usr/bin"; anything else
// (including "usr/sbin/x" and "binaries/x") unchanged.
std::string merged_usr_path(std::string_view path);

// Where a symlink at `link_path` points, lexically, as a root-relative path
// without a leading "/": ("usr/lib/x/libz.so.1", "libz.so.1.3") ->
// "usr/lib/x/libz.so.1.3"; an absolute target starts from the root; ".."
// stays at the root. No other link on the way is followed.
std::string resolve_link_target(std::string_view link_path, std::string_view target);

// True for the top-level alias names themselves ("bin", "lib64", "/sbin/",
// ...). A package entry at such a path (a directory, or a symlink some
// packages ship for the merged layout) must not be moved into usr/: the
// assembler skips it and creates the links from merged_usr_links() instead.
bool is_merged_usr_alias(std::string_view path);

// The target a symlink at `original_path` needs once moved to
// merged_usr_path(original_path) so it still names the same (merged) file:
//   - absolute: "/bin/sh" -> "/usr/bin/sh";
//   - relative: resolved against the link's ORIGINAL directory (".." at the
//     root stays at the root, as the kernel does), mapped into usr/, and
//     re-expressed relative to the link's NEW directory:
//     lib/x86_64-linux-gnu/libfoo.so -> ../../usr/lib/x86_64-linux-gnu/libfoo.so.1
//     becomes libfoo.so.1.
// A target whose text still names that file from the new location (e.g.
// "dash" for bin/sh, "../lib/x" for lib64/x) is returned byte for byte.
// Resolution is lexical over the unmerged layout the package was built for.
std::string merged_usr_link_target(std::string_view original_path, std::string_view target);

// The top-level links of the merged layout as (link path, relative target):
// ("bin", "usr/bin"), ("lib", "usr/lib"), ("sbin", "usr/sbin") always, plus
// lib32 / lib64 / libx32 when named in `libdirs_present` (as "lib64",
// "usr/lib64", "/usr/lib64", ...; other names are ignored). Sorted by path.
std::vector<std::pair<std::string, std::string>> merged_usr_links(
    const std::vector<std::string>& libdirs_present);

}  // namespace pare::rootfs
