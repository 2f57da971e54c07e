// s3_tool: drives braid's S3FileSystem from test/integration/test_s3_storage.py against a real
// S3 server. Test-only; not the braid CLI. The store comes from the environment
// (AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION).
//
//   s3_tool [--attempts N] [--base-delay-ms MS] [--max-delay-ms MS] <command> <location> [args]
//     put LOC TEXT          WriteFile
//     create LOC TEXT       CreateFileExclusive ("created", or the error and exit 1)
//     get LOC               ReadFile to stdout
//     range LOC OFF LEN     ReadRange to stdout
//     size LOC | exists LOC FileSize / Exists
//     list LOC              List: one "name<TAB>dir|file<TAB>size" line per entry
//     delete LOC | rmr LOC  DeleteFile / DeleteRecursively
//     upload LOC FILE       LocalPathForWrite + copy FILE there + FinishLocalWrite
//     put-many LOC N        WriteFile of LOC/k00000 .. LOC/k<N-1>
//     probe LOC             SupportsExclusiveCreate ("true"/"false")
// Prints "retries=N" on stderr at the end; errors are "s3_tool: <status>", exit 1.

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "storage/curl_http_client.h"
#include "storage/location.h"
#include "storage/s3_file_system.h"

namespace braid {
namespace {

int Fail(const Status& st) {
  std::cerr << "s3_tool: " << st.ToString() << "\n";
  return 1;
}

int Run(std::vector<std::string> args) {
  Result<S3Options> options = S3Options::Resolve({});
  if (!options.ok()) return Fail(options.status());
  while (args.size() >= 2 && args[0].starts_with("--")) {
    int value = std::atoi(args[1].c_str());
    if (args[0] == "--attempts") options->retry.max_attempts = value;
    else if (args[0] == "--base-delay-ms") options->retry.base_delay = std::chrono::milliseconds(value);
    else if (args[0] == "--max-delay-ms") options->retry.max_delay = std::chrono::milliseconds(value);
    else return Fail(Status::InvalidArgument("unknown flag " + args[0]));
    args.erase(args.begin(), args.begin() + 2);
  }
  if (args.size() < 2) return Fail(Status::InvalidArgument("usage: s3_tool [flags] <command> <location> [args]"));
  auto client = std::make_shared<S3Client>(*options, CurlHttpClient::Instance());
  S3FileSystem fs(client);
  const std::string& cmd = args[0];
  const std::string& loc = args[1];
  Status st;
  if (cmd == "put" && args.size() == 3) {
    st = fs.WriteFile(loc, args[2]);
  } else if (cmd == "create" && args.size() == 3) {
    st = fs.CreateFileExclusive(loc, args[2]);
    if (st.ok()) std::cout << "created\n";
  } else if (cmd == "get") {
    Result<std::string> r = fs.ReadFile(loc);
    if (r.ok()) std::cout << *r; else st = r.status();
  } else if (cmd == "range" && args.size() == 4) {
    Result<std::string> r = fs.ReadRange(loc, std::stoull(args[2]), std::stoull(args[3]));
    if (r.ok()) std::cout << *r; else st = r.status();
  } else if (cmd == "size") {
    Result<uint64_t> r = fs.FileSize(loc);
    if (r.ok()) std::cout << *r << "\n"; else st = r.status();
  } else if (cmd == "exists") {
    Result<bool> r = fs.Exists(loc);
    if (r.ok()) std::cout << (*r ? "true" : "false") << "\n"; else st = r.status();
  } else if (cmd == "list") {
    Result<std::vector<FileInfo>> r = fs.List(loc);
    if (r.ok()) {
      for (const FileInfo& f : *r) std::cout << f.name << "\t" << (f.is_directory ? "dir" : "file") << "\t" << f.size << "\n";
    } else {
      st = r.status();
    }
  } else if (cmd == "delete") {
    st = fs.DeleteFile(loc);
  } else if (cmd == "rmr") {
    st = fs.DeleteRecursively(loc);
  } else if (cmd == "upload" && args.size() == 3) {
    Result<std::string> local = fs.LocalPathForWrite(loc);
    if (!local.ok()) return Fail(local.status());
    std::error_code ec;
    std::filesystem::copy_file(args[2], *local, ec);
    if (ec) return Fail(Status::IoError(fmt::format("copying {}: {}", args[2], ec.message())));
    st = fs.FinishLocalWrite(*local, loc);
    if (std::filesystem::exists(*local)) return Fail(Status::Internal("the local file was left behind: " + *local));
  } else if (cmd == "put-many" && args.size() == 3) {
    int n = std::atoi(args[2].c_str());
    for (int i = 0; i < n && st.ok(); ++i) st = fs.WriteFile(JoinLocation(loc, fmt::format("k{:05}", i)), "x");
  } else if (cmd == "probe") {
    Result<bool> r = fs.SupportsExclusiveCreate(loc);
    if (r.ok()) std::cout << (*r ? "true" : "false") << "\n"; else st = r.status();
  } else {
    return Fail(Status::InvalidArgument("unknown command or wrong arguments: " + cmd));
  }
  std::cerr << "retries=" << client->retries() << "\n";
  return st.ok() ? 0 : Fail(st);
}

}  // namespace
}  // namespace braid

int main(int argc, char** argv) { return braid::Run(std::vector<std::string>(argv + 1, argv + argc)); }
