// The keys an application spec adds: healthcheck: (Docker's HEALTHCHECK, exec form only: a
// distroless image has no shell to run a string in) and auto-deps:.
#include <cctype>
#include <string>

#include "spec/parsed.h"
#include "spec/yaml_util.h"

namespace pare::spec::detail {

namespace {

constexpr int64_t kNanosPerSecond = 1000000000;
// Docker refuses a healthcheck interval under 1 ms; a day is plenty for the upper bound.
constexpr int64_t kMaxDuration = int64_t{24} * 3600 * kNanosPerSecond;

// Go's time.ParseDuration subset Docker's HEALTHCHECK flags take: "30s", "1m30s", "500ms",
// "2h", "1.5s". Returns nanoseconds, or -1 when `s` is not such a duration.
int64_t parse_duration(std::string_view s) {
  if (s.empty()) return -1;
  struct Unit {
    std::string_view name;
    int64_t nanos;
  };
  static const Unit units[] = {{"ms", 1000000},
                               {"us", 1000},
                               {"ns", 1},
                               {"h", 3600 * kNanosPerSecond},
                               {"m", 60 * kNanosPerSecond},
                               {"s", kNanosPerSecond}};
  double total = 0;
  while (!s.empty()) {
    size_t n = 0;
    while (n < s.size() && (std::isdigit(static_cast<unsigned char>(s[n])) || s[n] == '.')) ++n;
    if (n == 0 || n > 12) return -1;
    double value = 0;
    try {
      value = std::stod(std::string(s.substr(0, n)));
    } catch (...) {
      return -1;
    }
    s.remove_prefix(n);
    const Unit* unit = nullptr;
    for (const auto& u : units)
      if (s.substr(0, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    if (!unit) return -1;
    s.remove_prefix(unit->name.size());
    total += value * static_cast<double>(unit->nanos);
    if (total > static_cast<double>(kMaxDuration)) return -1;
  }
  return static_cast<int64_t>(total);
}

Result<int64_t> get_duration(const Ctx& ctx, const Field& f) {
  PARE_TRY(std::string s, get_string(ctx, f));
  int64_t nanos = parse_duration(s);
  if (nanos < 1000000)
    return ctx.error(f.value, f.key +
                                  ": expected a duration of 1ms to 24h such as 30s, 1m30s or "
                                  "500ms, got '" +
                                  s + "'");
  return nanos;
}

}  // namespace

Result<Healthcheck> parse_healthcheck(const Ctx& ctx, const Field& f) {
  Healthcheck out;
  if (f.value.IsScalar()) {  // healthcheck: none — turns off the base image's
    PARE_TRY(std::string s, get_string(ctx, f));
    if (s != "none")
      return ctx.error(f.value, "healthcheck: expected a mapping with test:, or none");
    out.test = {"NONE"};
    return out;
  }
  PARE_TRY(Fields fields, read_fields(ctx, f.value, "healthcheck",
                                      {"test", "interval", "timeout", "start-period", "retries"}));
  const Field* test = fields.find("test");
  if (!test)
    return ctx.error(fields.loc,
                     "healthcheck: needs test: the command to run, as a list "
                     "(there is no shell to run a string in)");
  PARE_TRY(auto command, get_string_list(ctx, *test));
  if (command.empty() || command.front().empty() || command.front().front() != '/')
    return ctx.error(test->value,
                     "healthcheck: test: expected a command starting with an absolute program "
                     "path, such as [/app, --health]");
  out.test = {"CMD"};
  out.test.insert(out.test.end(), command.begin(), command.end());
  if (const Field* d = fields.find("interval")) {
    PARE_TRY(out.interval, get_duration(ctx, *d));
  }
  if (const Field* d = fields.find("timeout")) {
    PARE_TRY(out.timeout, get_duration(ctx, *d));
  }
  if (const Field* d = fields.find("start-period")) {
    PARE_TRY(out.start_period, get_duration(ctx, *d));
  }
  if (const Field* r = fields.find("retries")) {
    PARE_TRY(std::string s, get_string(ctx, *r));
    if (s.empty() || s.size() > 4 || s.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(s) < 1)
      return ctx.error(r->value, "retries: expected a number from 1 to 9999, got '" + s + "'");
    out.retries = std::stoi(s);
  }
  return out;
}

}  // namespace pare::spec::detail
