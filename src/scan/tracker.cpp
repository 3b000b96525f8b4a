#include "scan/tracker.h"

#include <nlohmann/json.hpp>

namespace pare::scan {

namespace {

using nlohmann::json;

// A SAX reader of the export: no document is built; only the wanted release's status,
// fixed_version and urgency are kept. The path of object keys says where a value is:
// [source, CVE, field, release, key] — depth 1 to 5.
class TrackerSax : public json::json_sax_t {
 public:
  TrackerSax(std::string release, Feed& feed) : release_(std::move(release)), feed_(feed) {}

  bool start_object(std::size_t) override {
    if (depth_ == 0 && !keys_.empty()) return shape("the top level must be an object");
    if (depth_ >= 1 && depth_ < 4 && keys_.size() < depth_)
      return shape("an object was not expected");
    ++depth_;
    keys_.resize(depth_ - 1);
    if (in_release()) current_ = Advisory{keys_[1], keys_[0], "", "", ""};
    return true;
  }
  bool end_object() override {
    if (in_release()) {
      if (current_.status.empty()) return shape("no status");
      while (!current_.urgency.empty() && current_.urgency.back() == '*')
        current_.urgency.pop_back();
      feed_[current_.source].push_back(std::move(current_));
    }
    --depth_;
    keys_.resize(depth_);
    return true;
  }
  bool key(string_t& k) override {
    keys_.resize(depth_);
    keys_.back() = k;
    return true;
  }
  bool string(string_t& v) override {
    if (depth_ == 5 && in_release_keys()) {
      const std::string& field = keys_[4];
      if (field == "status") current_.status = v;
      if (field == "fixed_version") current_.fixed_version = v;
      if (field == "urgency") current_.urgency = v;
    }
    return scalar();
  }
  bool start_array(std::size_t) override {
    if (depth_ < 3) return shape("an array was not expected");
    ++depth_;
    keys_.resize(depth_ - 1);
    keys_.push_back("[]");
    return true;
  }
  bool end_array() override {
    --depth_;
    keys_.resize(depth_);
    return true;
  }
  bool null() override { return scalar(); }
  bool boolean(bool) override { return scalar(); }
  bool number_integer(number_integer_t) override { return scalar(); }
  bool number_unsigned(number_unsigned_t) override { return scalar(); }
  bool number_float(number_float_t, const string_t&) override { return scalar(); }
  bool binary(binary_t&) override { return scalar(); }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception&) override {
    error_ = "not JSON at byte " + std::to_string(position);
    return false;
  }
  const std::string& error() const { return error_; }

 private:
  // Inside the wanted release's record of some CVE: [source, CVE, "releases", release].
  bool in_release() const {
    return depth_ == 5 && keys_.size() >= 4 && keys_[2] == "releases" && keys_[3] == release_;
  }
  bool in_release_keys() const {
    return keys_.size() == 5 && keys_[2] == "releases" && keys_[3] == release_;
  }
  bool scalar() {
    if (depth_ < 3) return shape("a map of CVE ids was expected");
    if (in_release_record_itself()) return shape("the release's record is not an object");
    return true;
  }
  bool in_release_record_itself() const {
    return depth_ == 4 && keys_.size() == 4 && keys_[2] == "releases" && keys_[3] == release_;
  }
  bool shape(const std::string& what) {
    std::string where;
    for (const auto& k : keys_) where += "\"" + k + "\" / ";
    error_ = (where.empty() ? "" : where) + what +
             " (the security tracker's JSON export maps source packages to their CVEs)";
    return false;
  }

  std::string release_;
  Feed& feed_;
  size_t depth_ = 0;
  std::vector<std::string> keys_;
  Advisory current_;
  std::string error_;
};

}  // namespace

Result<Feed> parse_tracker_json(std::string_view text, const std::string& name,
                                const std::string& release) {
  if (text.size() > kMaxFeedBytes)
    return Error(Errc::invalid,
                 name + ": larger than " + std::to_string(kMaxFeedBytes >> 20) + " MiB");
  Feed feed;
  TrackerSax sax(release, feed);
  if (!json::sax_parse(text, &sax) || !sax.error().empty())
    return Error(Errc::invalid, name + ": " + (sax.error().empty() ? "not JSON" : sax.error()));
  return feed;
}

}  // namespace pare::scan
