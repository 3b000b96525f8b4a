#include "inspect/diff.h"

#include <algorithm>
#include <cstdio>

#include "inspect/files.h"
#include "sbom/image_files.h"
#include "sbom/layer_summary.h"

namespace pare::inspect {

namespace {

using Type = sbom::FileEntry::Type;

struct Side {
  sbom::FlatImage flat;
  std::map<std::string, std::string> packages;  // name -> version
};

Result<Side> read_side(const oci::ImageOnDisk& image) {
  Side side;
  PARE_TRY(side.flat, sbom::read_flat_summaries(sbom::layer_refs(image), image.derived_cache));
  PARE_TRY(sbom::ImageContents contents, sbom::describe_files(side.flat.files));
  for (const auto& p : contents.packages) side.packages[p.name] = p.version;
  return side;
}

const char* type_name(Type t) {
  switch (t) {
    case Type::file:
      return "file";
    case Type::dir:
      return "directory";
    case Type::symlink:
      return "symlink";
    case Type::hardlink:
      return "hardlink";
    case Type::other:
      return "special file";
  }
  return "?";
}

std::string octal(uint32_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode);
  return buf;
}

// What differs between two entries at one path ("" when nothing does).
std::string entry_change(const sbom::FileEntry& a, const sbom::FileEntry& b) {
  std::vector<std::string> what;
  if (a.type != b.type) return std::string(type_name(a.type)) + " -> " + type_name(b.type);
  if (a.mode != b.mode) what.push_back("mode " + octal(a.mode) + " -> " + octal(b.mode));
  if (a.uid != b.uid || a.gid != b.gid)
    what.push_back("owner " + std::to_string(a.uid) + ":" + std::to_string(a.gid) + " -> " +
                   std::to_string(b.uid) + ":" + std::to_string(b.gid));
  if (a.link != b.link) what.push_back("link " + a.link + " -> " + b.link);
  if (a.type == Type::file && (a.size != b.size || a.sha256 != b.sha256)) what.push_back("content");
  std::string out;
  for (const auto& w : what) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

void diff_config(const oci::ImageConfig& a, const oci::ImageConfig& b, ImageDiff& out) {
  auto field = [&](const std::string& name, const std::string& x, const std::string& y) {
    if (x != y) out.config.push_back({name, x, y});
  };
  field("platform", oci::platform_string(a.platform), oci::platform_string(b.platform));
  field("user", a.user, b.user);
  field("workdir", a.working_dir, b.working_dir);
  field("entrypoint", joined(a.entrypoint), joined(b.entrypoint));
  field("cmd", joined(a.cmd), joined(b.cmd));
  field("stop-signal", a.stop_signal, b.stop_signal);
  field("ports", joined(a.exposed_ports), joined(b.exposed_ports));
  field("volumes", joined(a.volumes), joined(b.volumes));
  auto env_map = [](const std::vector<std::string>& env) {
    std::map<std::string, std::string> m;
    for (const auto& e : env)
      m[e.substr(0, e.find('='))] =
          e.find('=') == std::string::npos ? "" : e.substr(e.find('=') + 1);
    return m;
  };
  auto keyed = [&](const std::string& prefix, const std::map<std::string, std::string>& x,
                   const std::map<std::string, std::string>& y) {
    for (const auto& [k, v] : x) field(prefix + k, v, y.count(k) ? y.at(k) : "");
    for (const auto& [k, v] : y)
      if (!x.count(k)) field(prefix + k, "", v);
  };
  keyed("env ", env_map(a.env), env_map(b.env));
  keyed("label ", a.labels, b.labels);
}

}  // namespace

Result<ImageDiff> diff_images(const oci::ImageOnDisk& a, const oci::ImageOnDisk& b) {
  PARE_TRY(Side x, read_side(a));
  PARE_TRY(Side y, read_side(b));
  ImageDiff out;
  for (const auto& [name, v] : x.packages) {
    auto it = y.packages.find(name);
    if (it == y.packages.end() || it->second != v)
      out.packages.push_back({name, v, it == y.packages.end() ? "" : it->second});
  }
  for (const auto& [name, v] : y.packages)
    if (!x.packages.count(name)) out.packages.push_back({name, "", v});
  std::sort(out.packages.begin(), out.packages.end(),
            [](const auto& p, const auto& q) { return p.name < q.name; });
  for (const auto& [path, e] : x.flat.entries) {
    auto it = y.flat.entries.find(path);
    if (it == y.flat.entries.end()) {
      out.files.push_back({"/" + path, 'D', e.size, 0, ""});
      continue;
    }
    std::string what = entry_change(e, it->second);
    if (!what.empty()) out.files.push_back({"/" + path, 'M', e.size, it->second.size, what});
  }
  for (const auto& [path, e] : y.flat.entries)
    if (!x.flat.entries.count(path)) out.files.push_back({"/" + path, 'A', 0, e.size, ""});
  std::sort(out.files.begin(), out.files.end(),
            [](const auto& p, const auto& q) { return p.path < q.path; });
  diff_config(a.config, b.config, out);
  return out;
}

}  // namespace pare::inspect
