#include "scan/compare.h"

#include <algorithm>
#include <cstdio>

#include "inspect/audit.h"
#include "sbom/layer_summary.h"
#include "scan/match.h"

namespace pare::scan {

namespace {

const std::vector<std::string> kUrgencies = {"high", "medium", "low", "unknown"};

std::string mb(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buf;
}

std::string yes_no(bool b) {
  return b ? "yes" : "no";
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string cves(const CompareRow& r) {
  if (!r.open_by_urgency) return "not scanned";
  std::string out = std::to_string(r.open());
  std::string parts;
  for (const auto& u : kUrgencies)
    if (auto it = r.open_by_urgency->find(u); it != r.open_by_urgency->end() && it->second)
      parts += (parts.empty() ? "" : ", ") + std::to_string(it->second) + " " + u;
  return parts.empty() ? out : out + " (" + parts + ")";
}

struct Column {
  const char* title;
  std::string (*value)(const CompareRow&);
};

const std::vector<Column>& columns() {
  static const std::vector<Column> cols = {
      {"image", [](const CompareRow& r) { return r.image; }},
      {"compressed", [](const CompareRow& r) { return mb(r.compressed); }},
      {"uncompressed", [](const CompareRow& r) { return mb(r.uncompressed); }},
      {"layers", [](const CompareRow& r) { return std::to_string(r.layers); }},
      {"packages", [](const CompareRow& r) { return std::to_string(r.packages); }},
      {"shell", [](const CompareRow& r) { return yes_no(r.shell); }},
      {"package manager", [](const CompareRow& r) { return yes_no(r.package_manager); }},
      {"runs as root", [](const CompareRow& r) { return yes_no(r.runs_as_root); }},
      {"setuid files", [](const CompareRow& r) { return std::to_string(r.setuid); }},
      {"open CVEs", [](const CompareRow& r) { return cves(r); }},
  };
  return cols;
}

// Size (x) against open vulnerabilities (y), one labelled point per image.
std::string chart_svg(const std::vector<CompareRow>& rows) {
  const double w = 640, h = 360, left = 60, bottom = 40, top = 30, right = 20;
  double max_x = 1, max_y = 1;
  for (const auto& r : rows) {
    max_x = std::max(max_x, static_cast<double>(r.uncompressed) / 1e6);
    max_y = std::max(max_y, static_cast<double>(r.open()));
  }
  max_x *= 1.1;  // room around the largest point
  max_y *= 1.1;
  auto px = [&](double x) { return left + x / max_x * (w - left - right); };
  auto py = [&](double y) { return h - bottom - y / max_y * (h - top - bottom); };
  char buf[512];
  std::string svg =
      "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" "
      "height=\"360\" viewBox=\"0 0 640 360\" role=\"img\" "
      "aria-label=\"image size against open CVEs\">\n";
  std::snprintf(
      buf, sizeof buf,
      "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#444\"/>\n"
      "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#444\"/>\n"
      "<text x=\"%.0f\" y=\"%.0f\" font-size=\"12\">uncompressed size (MB, max %.0f)</text>\n"
      "<text x=\"8\" y=\"14\" font-size=\"12\">open CVEs (max %.0f)</text>\n",
      left, h - bottom, w - right, h - bottom, left, top, left, h - bottom, left, h - 10, max_x,
      max_y);
  svg += buf;
  for (const auto& r : rows) {
    double x = px(static_cast<double>(r.uncompressed) / 1e6), y = py(static_cast<double>(r.open()));
    // The label: the reference's last path component (its name and tag), beside the point,
    // on the side with room.
    std::string label =
        r.image.substr(r.image.rfind('/') == std::string::npos ? 0 : r.image.rfind('/') + 1);
    bool right_half = x > w / 2;
    std::snprintf(buf, sizeof buf,
                  "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"%s\"/>\n"
                  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"%s\">",
                  x, y, r.shell ? "#c0392b" : "#27ae60", right_half ? x - 10 : x + 10, y - 8,
                  right_half ? "end" : "start");
    svg += buf + html_escape(label) + "</text>\n";
  }
  return svg + "</svg>\n";
}

}  // namespace

size_t CompareRow::open() const {
  size_t n = 0;
  if (open_by_urgency)
    for (const auto& [u, count] : *open_by_urgency) n += count;
  return n;
}

Result<CompareRow> compare_row(const oci::ImageOnDisk& image, const std::string& name,
                               const FeedFor* feed_for) {
  CompareRow row;
  row.image = name;
  row.layers = image.manifest.layers.size();
  row.compressed = image.manifest.config.size;
  for (const auto& l : image.manifest.layers) row.compressed += l.size;
  PARE_TRY(sbom::FlatImage flat,
           sbom::read_flat_summaries(sbom::layer_refs(image), image.derived_cache));
  for (const auto& [path, e] : flat.entries)
    if (e.type == sbom::FileEntry::Type::file) row.uncompressed += e.size;
  PARE_TRY(inspect::AuditReport audit, inspect::audit_flat(flat, image.config, {}, true));
  for (const auto& c : audit.checks) {
    if (c.name == "shell") row.shell = !c.passed;
    if (c.name == "package-manager") row.package_manager = !c.passed;
    if (c.name == "runs-as-root") row.runs_as_root = !c.passed;
    if (c.name == "setuid") row.setuid = c.evidence_total;
  }
  PARE_TRY(sbom::ImageContents contents, sbom::describe_files(flat.files));
  row.packages = contents.packages.size();
  if (feed_for) {
    row.release = release_for(contents.os.version_id);
    PARE_TRY(const Feed* feed, (*feed_for)(row.release));
    std::map<std::string, size_t> counts;
    if (feed)
      for (const auto& finding : match(contents.packages, *feed))
        if (finding.state == State::open)
          ++counts[severity_rank(finding.urgency) ? finding.urgency : "unknown"];
    row.open_by_urgency = counts;
  }
  return row;
}

std::string compare_markdown(const std::vector<CompareRow>& rows) {
  std::string out = "|", rule = "|";
  for (const auto& c : columns()) {
    out += " " + std::string(c.title) + " |";
    rule += "---|";
  }
  out += "\n" + rule + "\n";
  for (const auto& r : rows) {
    out += "|";
    for (const auto& c : columns()) {
      std::string v = c.value(r);
      std::replace(v.begin(), v.end(), '|', '/');
      out += " " + v + " |";
    }
    out += "\n";
  }
  return out;
}

std::string compare_table(const std::vector<CompareRow>& rows) {
  std::vector<std::vector<std::string>> cells(1);
  for (const auto& c : columns()) cells[0].push_back(c.title);
  for (const auto& r : rows) {
    cells.emplace_back();
    for (const auto& c : columns()) cells.back().push_back(c.value(r));
  }
  std::vector<size_t> width(columns().size(), 0);
  for (const auto& line : cells)
    for (size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  std::string out;
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size(); ++i) {
      std::string pad(width[i] - line[i].size(), ' ');
      out += i == 0 ? line[i] + pad : "  " + pad + line[i];
    }
    out += "\n";
  }
  return out;
}

std::string compare_html(const std::vector<CompareRow>& rows) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<title>pare compare</title>\n<style>\n"
      "body{font-family:sans-serif;margin:2em;color:#222}"
      "table{border-collapse:collapse;margin-bottom:2em}"
      "th,td{border:1px solid #ccc;padding:4px 10px;text-align:right}"
      "th:first-child,td:first-child{text-align:left}th{background:#f0f0f0}"
      "td.bad{color:#c0392b;font-weight:bold}\n</style></head><body>\n"
      "<h1>Images compared</h1>\n<table id=\"comparison\">\n<tr>";
  for (const auto& c : columns()) html += "<th>" + html_escape(c.title) + "</th>";
  html += "</tr>\n";
  for (const auto& r : rows) {
    html += "<tr>";
    for (const auto& c : columns()) {
      std::string v = c.value(r);
      bool bad = v == "yes" && std::string(c.title) != "image";
      html += std::string(bad ? "<td class=\"bad\">" : "<td>") + html_escape(v) + "</td>";
    }
    html += "</tr>\n";
  }
  html += "</table>\n<h2>Size against open CVEs</h2>\n" + chart_svg(rows) +
          "<p>Red: the image has a shell; green: it has none. Measured by pare from the images "
          "themselves.</p>\n</body></html>\n";
  return html;
}

}  // namespace pare::scan
