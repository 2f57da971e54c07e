#pragma once
// SigV4Signer: AWS Signature Version 4 for S3 requests, signed by hand with OpenSSL.
//
// Why not libcurl's CURLOPT_AWS_SIGV4: Debian 12's curl 7.88 does not send
// x-amz-content-sha256 on its own (SeaweedFS and AWS S3 require it), its canonical query string
// handling has changed between releases, and it signs inside the transfer, so the signature
// cannot be checked against AWS's published examples. Signing here is ~150 lines, is pinned by
// unit tests on those examples, and lets the same request be retried with a fresh date.
//
// Canonical form (S3 flavour): the path is percent-encoded once per segment ('/' kept); query
// names and values are percent-encoded with '/' as %2F and sorted; every header handed in is
// signed (names lower-cased, values trimmed). Thread-safe: stateless functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace braid {

/// Access key, secret and optional session token. The secret never leaves the signer.
struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty when none
};

/// The parts of a request that a signature covers.
struct SigV4Request {
  std::string method;                                    // "GET", "PUT", ...
  std::string canonical_path;                            // already encoded, e.g. "/bucket/a%20b"
  std::vector<std::pair<std::string, std::string>> query;  // raw (unencoded) names and values
  std::vector<std::pair<std::string, std::string>> headers;  // must include host and x-amz-date
  std::string payload_sha256;                            // lower-case hex of the body's SHA-256
};

class SigV4Signer {
 public:
  /// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters kept, '/' kept only
  /// when `keep_slash`.
  static std::string UriEncode(std::string_view text, bool keep_slash);
  /// Lower-case hex SHA-256 of `data`.
  static std::string Sha256Hex(std::string_view data);
  /// "k1=v1&k2=v2" with encoded names/values, sorted by name then value.
  static std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query);
  /// The canonical request text (method, path, query, headers, signed header list, payload hash).
  static std::string CanonicalRequest(const SigV4Request& request);
  /// "host;x-amz-date;..." for the request's headers.
  static std::string SignedHeaders(const SigV4Request& request);
  /// The string to sign for `amz_date` ("20150830T123600Z") in `region` and `service`.
  static std::string StringToSign(const std::string& canonical_request, const std::string& amz_date,
                                  const std::string& region, const std::string& service);
  /// Lower-case hex of the signing key derived from the secret for a date, region and service.
  static std::string SigningKeyHex(const std::string& secret, const std::string& date,
                                   const std::string& region, const std::string& service);
  /// The value of the Authorization header. `amz_date` must equal the request's x-amz-date.
  static std::string Authorization(const SigV4Request& request, const AwsCredentials& credentials,
                                   const std::string& amz_date, const std::string& region,
                                   const std::string& service);
  /// "YYYYMMDDTHHMMSSZ" for a Unix time in seconds (UTC).
  static std::string AmzDate(int64_t unix_seconds);
};

}  // namespace braid
