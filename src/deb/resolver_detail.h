// Internals of the libsolv resolver, split out to keep resolver.cpp short.
// Only resolver*.cpp include this (it exposes libsolv types).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "deb/solv.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "deb/resolver.h"

namespace pare::deb::detail {

class Jobs {
 public:
  Jobs() { queue_init(&q_); }
  ~Jobs() { queue_free(&q_); }
  Jobs(const Jobs&) = delete;
  Jobs& operator=(const Jobs&) = delete;
  void add(Id how, Id what) { queue_push2(&q_, how, what); }
  Queue* queue() { return &q_; }

 private:
  Queue q_;
};

// The name among `names` closest to `name` (edit distance under 3), as " (did you mean X?)".
std::string did_you_mean(const std::vector<std::string>& names, const std::string& name);
std::string versions_of(Pool* pool, Id name);
Id find_solvable(Pool* pool, const std::string& name, const std::string& version,
                 const std::string& arch);
std::string explain_problems(Solver* solv);
std::set<Id> installed_set(Solver* solv);
// What apt would have chosen differently among the installed packages'
// Depends / Pre-Depends: a dependency on a name that a real package has, met
// by another package that provides the name (favour that name: by_name), and
// alternatives "a | b" whose first member is not installed although
// something could provide it (favour a's providers).
struct Favour {
  Id dep;
  bool by_name;
};
std::vector<Favour> unmet_preferences(Pool* pool, const std::set<Id>& installed);
PackageInfo solvable_info(Pool* pool, Solvable* s);
std::map<std::string, std::vector<std::string>> why_chains(Pool* pool,
                                                           const std::set<Id>& installed,
                                                           const std::vector<std::string>& wanted);
std::vector<CutDependency> cut_dependencies(Pool* pool, const std::set<Id>& installed,
                                            Repo* excluded, const std::set<std::string>& base_keys);

}  // namespace pare::deb::detail
