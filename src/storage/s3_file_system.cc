#include "storage/s3_file_system.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <random>

#include <fmt/format.h>

#include "storage/curl_http_client.h"
#include "storage/location.h"
#include "storage/s3_multipart_upload.h"
#include "storage/s3_xml.h"

namespace braid {
namespace {

// "a/b" -> "a/b/", "" -> "": the key prefix of everything under a directory.
std::string DirPrefix(std::string key) {
  while (!key.empty() && key.back() == '/') key.pop_back();
  return key.empty() ? key : key + "/";
}

std::string UniqueSuffix() {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{}-{}-{:x}", ::getpid(), counter.fetch_add(1), rng());
}

}  // namespace

Result<std::shared_ptr<S3FileSystem>> S3FileSystem::Make(const std::map<std::string, std::string>& properties) {
  BRAID_ASSIGN_OR_RETURN(S3Options options, S3Options::Resolve(properties));
  return std::make_shared<S3FileSystem>(std::make_shared<S3Client>(std::move(options), CurlHttpClient::Instance()));
}

Result<std::string> S3FileSystem::ReadFile(const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(S3Uri uri, S3Uri::Parse(location));
  BRAID_ASSIGN_OR_RETURN(HttpResponse r, client_->SendOk({"GET", uri.bucket, uri.key, {}, {}, {}}));
  return std::move(r.body);
}

Result<std::string> S3FileSystem::ReadRange(const std::string& location, uint64_t offset, uint64_t length) {
  if (length == 0) return std::string();
  BRAID_ASSIGN_OR_RETURN(S3Uri uri, S3Uri::Parse(location));
  std::string range = fmt::format("bytes={}-{}", offset, offset + length - 1);
  S3Request get{"GET", uri.bucket, uri.key, {}, {{"range", range}}, {}};
  BRAID_ASSIGN_OR_RETURN(HttpResponse r, client_->Send(get));
  if (r.status == 416) return std::string();  // the range starts past the end
  if (r.status / 100 != 2) return client_->ErrorFor(r, get);
  // A store that ignores Range answers 200 with everything.
  if (r.status == 200) return r.body.size() <= offset ? std::string() : r.body.substr(offset, length);
  return std::move(r.body);
}

Result<uint64_t> S3FileSystem::FileSize(const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(S3Uri uri, S3Uri::Parse(location));
  BRAID_ASSIGN_OR_RETURN(HttpResponse r, client_->SendOk({"HEAD", uri.bucket, uri.key, {}, {}, {}}));
  std::string length = r.Header("content-length");
  uint64_t size = 0;
  if (length.empty() || std::from_chars(length.data(), length.data() + length.size(), size).ec != std::errc()) {
    return Status::IoError(fmt::format("the store gave {} no Content-Length", location));
  }
  return size;
}

Result<bool> S3FileSystem::Exists(const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(S3Uri uri, S3Uri::Parse(location));
  if (!uri.key.empty() && uri.key.back() != '/') {
    S3Request head{"HEAD", uri.bucket, uri.key, {}, {}, {}};
    BRAID_ASSIGN_OR_RETURN(HttpResponse r, client_->Send(head));
    if (r.status / 100 == 2) return true;
    if (r.status != 404) return client_->ErrorFor(r, head);
  }
  BRAID_ASSIGN_OR_RETURN(S3ListPage page, ListAll(uri.bucket, DirPrefix(uri.key), false, 1));
  return !page.objects.empty();
}

Status S3FileSystem::Put(const S3Uri& uri, std::string_view data) {
  Result<HttpResponse> r = client_->SendOk({"PUT", uri.bucket, uri.key, {}, {}, data});
  return r.ok() ? Status::Ok() : r.status();
}

Status S3FileSystem::WriteFile(const std::string& location, std::string_view data) {
  BRAID_ASSIGN_OR_RETURN(S3Uri uri, S3Uri::Parse(location));
  return Put(uri, data);
}

Status S3FileSystem::CreateFileExclusive(const std::string& location, std::string_view data) {
  BRAID_ASSIGN_OR_RETURN(S3Uri uri, S3Uri::Parse(location));
  S3Request put{"PUT", uri.bucket, uri.key, {}, {{"if-none-match", "*"}}, data};
  int attempts = 0;
  BRAID_ASSIGN_OR_RETURN(HttpResponse r, client_->Send(put, &attempts));
  if (r.status / 100 == 2) return Status::Ok();
  if (r.status == 412 && attempts > 1) {
    // An earlier attempt may have created the object and lost its answer: if the object holds
    // exactly our bytes, that attempt was ours.
    Result<std::string> there = ReadFile(location);
    if (there.ok() && *there == data) return Status::Ok();
  }
  return client_->ErrorFor(r, put);
}

Result<std::string> S3FileSystem::LocalPathForWrite(const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(S3Uri uri, S3Uri::Parse(location));
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) return Status::IoError(fmt::format("no temp directory for writing {}: {}", location, ec.message()));
  return (dir / fmt::format("braid-s3-{}-{}", UniqueSuffix(), BaseName(uri.key))).string();
}

Status S3FileSystem::FinishLocalWrite(const std::string& local_path, const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(S3Uri uri, S3Uri::Parse(location));
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(local_path, ec);
  if (ec) return Status::IoError(fmt::format("cannot read {} to upload it to {}: {}", local_path, location, ec.message()));
  Status st;
  const S3Options& o = client_->options();
  if (size > o.multipart_threshold) {
    st = S3MultipartUpload::Upload(*client_, uri.bucket, uri.key, local_path, size, o.part_size);
  } else {
    std::ifstream in(local_path, std::ios::binary);
    std::string data(size, '\0');
    if (!in.read(data.data(), static_cast<std::streamsize>(size))) {
      st = Status::IoError(fmt::format("reading {} to upload it to {} failed", local_path, location));
    } else {
      st = Put(uri, data);
    }
  }
  std::filesystem::remove(local_path, ec);
  return st;
}

Status S3FileSystem::DeleteFile(const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(S3Uri uri, S3Uri::Parse(location));
  S3Request del{"DELETE", uri.bucket, uri.key, {}, {}, {}};
  BRAID_ASSIGN_OR_RETURN(HttpResponse r, client_->Send(del));
  if (r.status / 100 == 2 || r.status == 404) return Status::Ok();
  return client_->ErrorFor(r, del);
}

Result<S3ListPage> S3FileSystem::ListAll(const std::string& bucket, const std::string& prefix, bool delimited,
                                         int max_keys) {
  S3ListPage all;
  std::string token;
  do {
    S3Request list{"GET", bucket, "", {{"list-type", "2"}, {"prefix", prefix}}, {}, {}};
    if (delimited) list.query.emplace_back("delimiter", "/");
    if (max_keys > 0) list.query.emplace_back("max-keys", std::to_string(max_keys));
    if (!token.empty()) list.query.emplace_back("continuation-token", token);
    BRAID_ASSIGN_OR_RETURN(HttpResponse r, client_->SendOk(list));
    BRAID_ASSIGN_OR_RETURN(S3ListPage page, S3Xml::ParseListPage(r.body));
    for (auto& o : page.objects) all.objects.push_back(std::move(o));
    for (auto& p : page.common_prefixes) all.common_prefixes.push_back(std::move(p));
    token = page.truncated && max_keys == 0 ? page.next_continuation_token : "";
  } while (!token.empty());
  return all;
}

Result<std::vector<FileInfo>> S3FileSystem::List(const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(S3Uri uri, S3Uri::Parse(location));
  std::string prefix = DirPrefix(uri.key);
  BRAID_ASSIGN_OR_RETURN(S3ListPage page, ListAll(uri.bucket, prefix, true));
  std::vector<FileInfo> out;
  for (const S3ObjectEntry& o : page.objects) {
    // A zero-length "dir/" marker object some tools create is the directory itself.
    if (o.key.size() > prefix.size()) out.push_back({o.key.substr(prefix.size()), false, o.size, o.modified_ms});
  }
  for (const std::string& p : page.common_prefixes) {
    std::string name = p.substr(prefix.size());
    while (!name.empty() && name.back() == '/') name.pop_back();
    if (!name.empty()) out.push_back({name, true, 0, 0});
  }
  if (out.empty() && page.objects.empty()) {
    return Status::NotFound(fmt::format("{}: no such directory (no objects under it)", location));
  }
  std::sort(out.begin(), out.end(), [](const FileInfo& a, const FileInfo& b) { return a.name < b.name; });
  return out;
}

Status S3FileSystem::CreateDirectories(const std::string& location) {
  // Still validate: a typo in a warehouse location should fail here, not at the first write.
  return S3Uri::Parse(location).status();
}

Status S3FileSystem::DeleteRecursively(const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(S3Uri uri, S3Uri::Parse(location));
  BRAID_ASSIGN_OR_RETURN(S3ListPage page, ListAll(uri.bucket, DirPrefix(uri.key), false));
  for (const S3ObjectEntry& o : page.objects) {
    BRAID_RETURN_IF_ERROR(DeleteFile(S3Uri{uri.scheme, uri.bucket, o.key}.ToString()));
  }
  return Status::Ok();
}

Result<bool> S3FileSystem::SupportsExclusiveCreate(const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(S3Uri uri, S3Uri::Parse(location));
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = exclusive_create_.find(uri.bucket);
    if (it != exclusive_create_.end()) return it->second;
  }
  std::string probe = S3Uri{uri.scheme, uri.bucket, DirPrefix(uri.key) + ".braid-probe-" + UniqueSuffix()}.ToString();
  Status first = CreateFileExclusive(probe, "1");
  if (!first.ok()) return first.WithContext("probing whether the store honours If-None-Match");
  Status second = CreateFileExclusive(probe, "2");
  Status cleanup = DeleteFile(probe);
  if (!second.ok() && second.kind() != StatusKind::kAlreadyExists) {
    return second.WithContext("probing whether the store honours If-None-Match");
  }
  BRAID_RETURN_IF_ERROR(cleanup);
  bool supported = second.kind() == StatusKind::kAlreadyExists;
  std::lock_guard<std::mutex> lock(mu_);
  exclusive_create_[uri.bucket] = supported;
  return supported;
}

}  // namespace braid
