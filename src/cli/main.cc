// braid: one binary, one subcommand per file in this folder.

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/command.h"

namespace braid::cli {

int Fail(const std::string& command, const Status& status) {
  fmt::print(stderr, "braid {}: {}\n", command, status.message());
  return status.kind() == StatusKind::kInvalidArgument ? 2 : 1;
}

int FailRun(const std::string& command, const Status& status) {
  (void)Fail(command, status);
  return 1;
}

Status SplitProperty(const std::string& kv, std::string* key, std::string* value, const std::string& flag) {
  size_t eq = kv.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::InvalidArgument(fmt::format(
        "bad {} \"{}\": write the property as KEY=VALUE, e.g. {} {}", flag, kv, flag,
        flag == "-X" ? "security.protocol=SSL" : "warehouse=/srv/warehouse"));
  }
  *key = kv.substr(0, eq);
  *value = kv.substr(eq + 1);
  return Status::Ok();
}

CLI::Validator WholeNumberAtLeast(long long min) {
  return CLI::Validator(
      [min](std::string& text) -> std::string {
        char* end = nullptr;
        errno = 0;
        long long v = std::strtoll(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0' || errno != 0 || v < min) {
          return fmt::format("expected a whole number >= {}, got \"{}\"", min, text);
        }
        return "";
      },
      fmt::format("INT>={}", min));
}

}  // namespace braid::cli

int main(int argc, char** argv) {
  using namespace braid::cli;
  // Line-buffered stdout keeps its lines in order with stderr's progress when both are piped.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  CLI::App app{
      "braid: reads Kafka topics, joins them on event time with watermarks, and appends the\n"
      "result to an Apache Iceberg table exactly once, with SQL on top.",
      "braid"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "braid 0.1.0");
  app.footer("Run `braid <command> --help` for a command's flags and an example.");

  std::map<CLI::App*, Runner> runners;
  auto add = [&](Runner r) { runners[app.get_subcommands({}).back()] = std::move(r); };
  add(AddDemoCommand(app));
  add(AddBrokerCommand(app));
  add(AddProduceCommand(app));
  add(AddJoinCommand(app));
  add(AddSqlCommand(app));
  add(AddTableCommand(app));
  add(AddStatusCommand(app));
  add(AddReportCommand(app));
  add(AddValidateCommand(app));

  auto known = [&](const char* name) {
    for (CLI::App* sub : app.get_subcommands({})) {
      if (sub->get_name() == name) return true;
    }
    return false;
  };
  if (argc > 1 && argv[1][0] != '-' && !known(argv[1])) {
    std::vector<std::string> names;
    for (CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
    fmt::print(stderr, "braid: unknown command \"{}\"; the commands are {} (see `braid --help`)\n",
               argv[1], fmt::join(names, ", "));
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string where = "braid";
    for (CLI::App* sub : app.get_subcommands()) where += " " + sub->get_name();
    if (argc == 1) {
      fmt::print(stderr, "{}", app.help());
      return 2;
    }
    fmt::print(stderr, "{}: {} (see `{} --help`)\n", where, e.what(), where);
    return 2;
  }
  for (CLI::App* sub : app.get_subcommands()) return runners.at(sub)();
  return 2;
}
