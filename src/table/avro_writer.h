#pragma once
// AvroWriter: builds an Avro object container file (header with magic, metadata map and sync
// marker, then blocks of records) in memory, codec "null".
//
// Hand-written on purpose: no packaged Avro library writes the header metadata Iceberg needs
// (the "schema", "partition-spec", "format-version", ... keys of manifests and manifest lists,
// next to avro.schema) together with the "field-id" attributes inside avro.schema, and the
// format is small: a few hundred lines cover it exactly. Not thread-safe.

#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "table/avro_datum.h"
#include "table/avro_schema.h"

namespace braid {

class AvroWriter {
 public:
  /// A writer for records of `schema_json` (written verbatim as avro.schema, so its
  /// attributes survive). `metadata` are extra header entries, in order. Fails with
  /// InvalidArgument if the schema does not parse.
  static Result<AvroWriter> Create(std::string schema_json,
                                   std::vector<std::pair<std::string, std::string>> metadata);

  /// Encodes one record. InvalidArgument if it does not fit the schema (nothing is written).
  Status Append(const AvroDatum& record);

  /// Number of records appended so far.
  size_t count() const { return total_; }

  /// Ends the file and returns its bytes; the writer is spent afterwards.
  std::string Finish();

 private:
  AvroWriter() = default;
  void FlushBlock();

  AvroNodePtr schema_;
  std::string sync_;
  std::string out_;
  std::string block_;
  size_t block_count_ = 0;
  size_t total_ = 0;
};

}  // namespace braid
