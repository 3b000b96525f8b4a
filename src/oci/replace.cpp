// The rule "pare removes only what it wrote" for outputs: before a build
// replaces what is at its destination, the destination must be nothing, an
// empty directory or file, or an output of the same format that pare (or any
// tool writing the same standard form) made. Anything else is refused, and
// nothing is touched.
#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "oci/layout.h"
#include "oci/tar.h"
#include "util/fs.h"

namespace pare::oci {

namespace {

namespace stdfs = std::filesystem;

Error refuse(const stdfs::path& dest, const std::string& what, OutputFormat format) {
  return Error(Errc::invalid, "-o " + dest.string() + ": " + what + ", not an " +
                                  output_format_name(format) +
                                  " output pare can replace; remove it yourself or choose "
                                  "another path (nothing was changed)");
}

// blobs/<alg>/<encoded>, the content-addressed part of a layout: only
// digest-named files (image-spec image-layout.md, "Blobs"); anything else is
// not a layout's to hold, and pare does not remove it.
Result<void> check_blobs_dir(const stdfs::path& blobs) {
  std::error_code ec;
  if (!stdfs::exists(stdfs::symlink_status(blobs, ec))) return {};
  auto odd = [&](const stdfs::path& p) {
    return refuse(blobs.parent_path(), "an OCI layout that also holds " + p.string(),
                  OutputFormat::oci_layout);
  };
  if (!stdfs::is_directory(stdfs::symlink_status(blobs, ec))) return odd(blobs);
  for (auto alg = stdfs::directory_iterator(blobs, ec); !ec && alg != stdfs::end(alg);
       alg.increment(ec)) {
    if (alg->path().filename() != "sha256" && alg->path().filename() != "sha512")
      return odd(alg->path());
    if (!stdfs::is_directory(stdfs::symlink_status(alg->path(), ec))) return odd(alg->path());
    size_t digits = alg->path().filename() == "sha256" ? 64 : 128;
    for (auto b = stdfs::directory_iterator(alg->path(), ec); !ec && b != stdfs::end(b);
         b.increment(ec)) {
      std::string name = b->path().filename().string();
      bool hex = name.size() == digits && std::all_of(name.begin(), name.end(), [](char c) {
                   return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                 });
      if (!hex || !stdfs::is_regular_file(stdfs::symlink_status(b->path(), ec)))
        return odd(b->path());
    }
  }
  if (ec) return Error(Errc::io, "cannot list " + blobs.string() + ": " + ec.message());
  return {};
}

// An OCI image layout (image-spec image-layout.md): oci-layout, index.json
// and blobs/, nothing else at the top.
Result<void> check_layout_dir(const stdfs::path& dest) {
  std::error_code ec;
  std::set<std::string> names;
  for (auto it = stdfs::directory_iterator(dest, ec); !ec && it != stdfs::end(it); it.increment(ec))
    names.insert(it->path().filename().string());
  if (ec) return Error(Errc::io, "cannot list " + dest.string() + ": " + ec.message());
  if (names.empty()) return {};
  auto marker = fs::read_file(dest / "oci-layout", 4096);
  if (!marker.ok() || marker->find("imageLayoutVersion") == std::string::npos)
    return refuse(dest, "a directory without an oci-layout file", OutputFormat::oci_layout);
  for (const auto& n : names)
    if (n != "oci-layout" && n != "index.json" && n != "blobs")
      return refuse(dest, "an OCI layout that also holds '" + n + "'", OutputFormat::oci_layout);
  return check_blobs_dir(dest / "blobs");
}

// A tar holding an OCI layout (oci-layout at its top) or a `docker save`
// archive (manifest.json at its top). Only the headers are read.
Result<void> check_archive_file(const stdfs::path& dest, OutputFormat format, uint64_t size) {
  if (size == 0) return {};
  PARE_TRY(auto map, fs::MappedFile::open(dest));
  std::set<std::string> top;
  auto listed = read_tar(map.bytes(), [&](const TarHeader& h, std::string_view) -> Result<void> {
    if (h.path.find('/') == std::string::npos) top.insert(h.path);
    return {};
  });
  if (!listed.ok()) return refuse(dest, "a file that is not a tar archive", format);
  bool oci = top.count("oci-layout") && top.count("index.json");
  bool docker = top.count("manifest.json") > 0;
  if (format == OutputFormat::oci_archive && !oci)
    return refuse(dest, docker ? "a docker-archive" : "a tar archive", format);
  if (format == OutputFormat::docker_archive && !docker)
    return refuse(dest, oci ? "an OCI archive" : "a tar archive", format);
  return {};
}

}  // namespace

Result<void> check_replaceable(OutputFormat format, const stdfs::path& dest) {
  struct stat st;
  if (::lstat(dest.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return fs::errno_error("cannot examine", dest);
  }
  if (S_ISLNK(st.st_mode)) return refuse(dest, "a symbolic link", format);
  if (format == OutputFormat::oci_layout) {
    if (!S_ISDIR(st.st_mode)) return refuse(dest, "a file", format);
    return check_layout_dir(dest);
  }
  if (S_ISDIR(st.st_mode)) return refuse(dest, "a directory", format);
  if (!S_ISREG(st.st_mode)) return refuse(dest, fs::file_kind(st.st_mode), format);
  return check_archive_file(dest, format, static_cast<uint64_t>(st.st_size));
}

}  // namespace pare::oci
