// A C++ program linked against Debian's libsqlite3: creates a table in memory, counts rows and
// prints the result. `--health` is its healthcheck (exit 0 when SQLite opens a database).
#include <sqlite3.h>

#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  sqlite3* db = nullptr;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 1;
  if (argc > 1 && std::strcmp(argv[1], "--health") == 0)
    return sqlite3_close(db) == SQLITE_OK ? 0 : 1;
  const char* sql =
      "CREATE TABLE t(name TEXT);"
      "INSERT INTO t VALUES ('static'), ('base'), ('cc');";
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite: %s\n", err);
    return 1;
  }
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &stmt, nullptr);
  sqlite3_step(stmt);
  std::string line =
      "rows=" + std::to_string(sqlite3_column_int(stmt, 0)) + " sqlite=" + sqlite3_libversion();
  std::puts(line.c_str());
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return 0;
}
