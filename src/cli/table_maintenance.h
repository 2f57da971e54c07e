#pragma once
// The maintenance actions of `braid table`: compact, expire-snapshots, remove-orphans. Each
// prints one line per action (and remove-orphans one per file) on stdout.

#include <optional>
#include <string>

#include "catalog/catalog.h"

namespace braid::cli {

struct MaintenanceFlags {
  std::string target_file_size;  // compact: a byte size ("128MiB"); "" = the table's property
  std::string older_than;        // a duration ("7d"); "" = the action's default
  int retain_last = 1;           // expire-snapshots
  bool dry_run = false;
};

/// Runs `action` on table `name` of `catalog`; returns the exit status.
int RunMaintenance(const std::string& action, const std::string& name, Catalog& catalog,
                   const MaintenanceFlags& flags);

}  // namespace braid::cli
