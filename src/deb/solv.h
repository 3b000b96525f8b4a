// The libsolv headers, made usable from C++20: libsolv's Solvable has a member
// named `requires`, which C++20 made a keyword. The member is renamed in our
// view only (same layout): write s->solv_requires_.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#define requires solv_requires_
extern "C" {  // not every libsolv header declares C linkage itself
#include <solv/evr.h>
#include <solv/knownid.h>
#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/problems.h>
#include <solv/queue.h>
#include <solv/repo.h>
#include <solv/repo_deb.h>
#include <solv/repo_solv.h>
#include <solv/repo_write.h>
#include <solv/solvable.h>
#include <solv/solver.h>
#include <solv/solverdebug.h>
#include <solv/solvversion.h>
#include <solv/transaction.h>
}
#undef requires
