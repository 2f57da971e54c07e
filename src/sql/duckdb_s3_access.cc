#include "sql/duckdb_s3_access.h"

#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

namespace braid {
namespace {

std::string Redact(std::string message, const std::string& secret) {
  if (secret.empty()) return message;
  for (size_t at = message.find(secret); at != std::string::npos; at = message.find(secret, at)) {
    message.replace(at, secret.size(), "***");
  }
  return message;
}

}  // namespace

std::string DuckDbS3Access::ExtensionPath() {
  const char* dir = std::getenv("BRAID_DUCKDB_EXTENSION_DIR");
  return fmt::format("{}/httpfs.duckdb_extension", dir && *dir ? dir : BRAID_DUCKDB_EXTENSION_DIR);
}

bool DuckDbS3Access::Available() {
  std::error_code ec;
  return std::filesystem::is_regular_file(ExtensionPath(), ec);
}

Status DuckDbS3Access::Configure(const std::string& bucket, const S3Options& options) {
  if (buckets_.count(bucket)) return Status::Ok();
  if (!loaded_) {
    std::string path = ExtensionPath();
    if (!Available()) {
      return Status::IoError(fmt::format(
          "DuckDB's httpfs extension is missing at {}: run scripts/setup.sh", path));
    }
    Status st = db_.Execute(fmt::format("LOAD {}", QuoteLiteral(path)));
    if (!st.ok()) return st.WithContext(fmt::format("loading DuckDB's httpfs extension {}", path));
    loaded_ = true;
  }
  std::string fields = fmt::format("TYPE s3, PROVIDER config, REGION {}, SCOPE {}", QuoteLiteral(options.region),
                                   QuoteLiteral("s3://" + bucket));
  const AwsCredentials& c = options.credentials;
  if (!c.access_key_id.empty()) {
    fields += fmt::format(", KEY_ID {}, SECRET {}", QuoteLiteral(c.access_key_id), QuoteLiteral(c.secret_access_key));
  }
  if (!c.session_token.empty()) fields += fmt::format(", SESSION_TOKEN {}", QuoteLiteral(c.session_token));
  if (!options.endpoint.empty()) {
    size_t sep = options.endpoint.find("://");
    fields += fmt::format(", ENDPOINT {}, USE_SSL {}", QuoteLiteral(options.endpoint.substr(sep + 3)),
                          options.endpoint.starts_with("https") ? "true" : "false");
  }
  fields += fmt::format(", URL_STYLE {}", options.path_style ? "'path'" : "'vhost'");
  std::string name = fmt::format("braid_s3_{}", buckets_.size());
  Status st = db_.Execute(fmt::format("CREATE OR REPLACE SECRET {} ({})", name, fields));
  if (!st.ok()) {
    std::string message = Redact(Redact(st.message(), c.secret_access_key), c.session_token);
    return Status(st.kind(), fmt::format("configuring DuckDB's S3 access to bucket {} failed: {}", bucket, message));
  }
  buckets_.insert(bucket);
  return Status::Ok();
}

}  // namespace braid
