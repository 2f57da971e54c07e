#pragma once
// S3Options: how braid reaches an S3 store, resolved from catalog properties under Iceberg's
// names, then the AWS environment variables, then defaults:
//   endpoint      s3.endpoint, else AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else AWS itself
//   region        s3.region, else client.region, else AWS_REGION, else AWS_DEFAULT_REGION,
//                 else us-east-1
//   credentials   s3.access-key-id / s3.secret-access-key / s3.session-token, else
//                 AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
//   addressing    s3.path-style-access (true/false); default path-style when an endpoint is
//                 set (MinIO, S3Proxy, SeaweedFS), virtual-host style on AWS
//   retries       s3.retry.num-retries (5), s3.retry.min-wait-ms (200), s3.retry.max-wait-ms
//                 (5000), as Iceberg's S3FileIO names them
// It also says where a request goes (URL, Host header, canonical path) for either addressing.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/retry_policy.h"
#include "storage/sigv4_signer.h"

namespace braid {

/// Where one S3 request is sent.
struct S3Address {
  std::string url;             // scheme://host[:port]/path, path percent-encoded, no query
  std::string host;            // the Host header
  std::string canonical_path;  // the path as signed
};

struct S3Options {
  std::string endpoint;  // "http(s)://host[:port]" without trailing '/'; "" means AWS
  std::string region = "us-east-1";
  bool path_style = false;
  AwsCredentials credentials;
  RetryPolicy retry;
  uint64_t multipart_threshold = 16u << 20;  // FinishLocalWrite uploads larger files in parts
  uint64_t part_size = 8u << 20;

  /// Reads the options from catalog `properties` and the environment (`getenv`, injectable for
  /// tests). InvalidArgument, naming the property, for a malformed endpoint or boolean, or when
  /// only one of access key and secret is given.
  static Result<S3Options> Resolve(const std::map<std::string, std::string>& properties,
                                   const std::function<const char*(const char*)>& getenv = ::getenv);

  /// Every catalog property Resolve reads, for refusing the ones it does not (a mistyped
  /// "s3.secret-acces-key" must fail, not fall back to the environment's credentials).
  static const std::vector<std::string>& PropertyNames();

  /// The URL, Host header and signed path for `key` in `bucket` (key unencoded, may be empty).
  S3Address AddressOf(const std::string& bucket, const std::string& key) const;

  /// The endpoint as error messages name it ("http://127.0.0.1:9000", or the AWS host).
  std::string EndpointName() const;
};

}  // namespace braid
