#pragma once
// S3Xml: the few S3 XML documents braid reads and writes: ListObjectsV2 pages, error bodies,
// InitiateMultipartUpload results and CompleteMultipartUpload requests. A small scanner for
// these flat documents, not a general XML parser: it finds elements by name, in order, and
// decodes the five predefined entities and numeric character references. Stateless.

#include <cstdint>
#include <string>
#include <string_view>
#include <optional>
#include <vector>

#include "base/result.h"

namespace braid {

struct S3ObjectEntry {
  std::string key;
  uint64_t size = 0;
  int64_t modified_ms = 0;  // LastModified, milliseconds since the epoch (0 when absent)
};

/// One page of a ListObjectsV2 answer.
struct S3ListPage {
  std::vector<S3ObjectEntry> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_continuation_token;
};

/// The Code and Message of an S3 error body (either may be empty).
struct S3Error {
  std::string code;
  std::string message;
};

class S3Xml {
 public:
  /// Parses a ListBucketResult. Corruption if it is not one, or a size is not a number.
  static Result<S3ListPage> ParseListPage(std::string_view xml);
  /// "2026-11-30T17:00:01.123Z" (LastModified) as milliseconds since the epoch; nullopt when
  /// malformed.
  static std::optional<int64_t> ParseLastModified(std::string_view text);
  /// Reads an <Error> body; empty fields when the body is not one.
  static S3Error ParseError(std::string_view xml);
  /// The UploadId of an InitiateMultipartUploadResult. Corruption if missing.
  static Result<std::string> ParseUploadId(std::string_view xml);
  /// The CompleteMultipartUpload body for parts numbered 1.. with these ETags (as returned).
  static std::string CompleteMultipartBody(const std::vector<std::string>& etags);
  /// Decodes XML entities (&amp; &lt; &gt; &quot; &apos; &#N; &#xH;).
  static std::string Unescape(std::string_view text);
  /// Escapes &, <, >, " and '.
  static std::string Escape(std::string_view text);
};

}  // namespace braid
