#pragma once
// AvroReader: reads an Avro object container file held in memory (manifests and manifest lists
// are small), decoding every record by the writer schema from the file's header. Codecs: null
// and deflate (Java and pyiceberg compress manifests with deflate by default).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "table/avro_datum.h"
#include "table/avro_schema.h"

namespace braid {

class AvroReader {
 public:
  /// Parses the header of `bytes`. `what` (usually the file location) prefixes every error.
  /// Corruption if the magic, header or schema is malformed; InvalidArgument for an unknown
  /// codec.
  static Result<AvroReader> Open(std::string bytes, std::string what);

  /// The writer schema.
  const AvroNode& schema() const { return *schema_; }
  /// The header metadata (avro.schema, avro.codec and the writer's own keys).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  /// Decodes every record. Corruption on truncated data or a sync marker mismatch.
  Result<std::vector<AvroDatum>> ReadAll();

 private:
  AvroReader() = default;

  std::string bytes_;
  std::string what_;
  std::map<std::string, std::string> metadata_;
  AvroNodePtr schema_;
  std::string sync_;
  size_t body_ = 0;  // offset of the first block
  bool deflate_ = false;
};

}  // namespace braid
