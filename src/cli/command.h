#pragma once
// The CLI's plumbing: each subcommand lives in its own file and registers itself on the root
// app with an Add*Command function that returns what to run once flags are parsed.

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "base/status.h"

namespace braid::cli {

/// Runs a parsed subcommand; returns the process exit status.
using Runner = std::function<int()>;

Runner AddBrokerCommand(CLI::App& root);
Runner AddProduceCommand(CLI::App& root);
Runner AddJoinCommand(CLI::App& root);
Runner AddSqlCommand(CLI::App& root);
Runner AddTableCommand(CLI::App& root);
Runner AddStatusCommand(CLI::App& root);
Runner AddReportCommand(CLI::App& root);
Runner AddValidateCommand(CLI::App& root);
Runner AddDemoCommand(CLI::App& root);

/// Prints "braid <command>: <message>" on stderr and returns the exit status for `status`
/// (1 for runtime failures, 2 for bad input).
int Fail(const std::string& command, const Status& status);

/// Like Fail, for a failure after the flags and configuration were accepted (a query, a table
/// that cannot be read): always exit 1, since 2 means bad flags.
int FailRun(const std::string& command, const Status& status);

/// A CLI11 check: a whole number >= `min`, refused with "expected a whole number >= min".
CLI::Validator WholeNumberAtLeast(long long min);

/// Parses "KEY=VALUE" (the -X librdkafka property flag, or `flag`); fails naming the flag.
Status SplitProperty(const std::string& kv, std::string* key, std::string* value,
                     const std::string& flag = "-X");

}  // namespace braid::cli
