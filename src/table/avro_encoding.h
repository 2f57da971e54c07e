#pragma once
// Avro binary encoding (spec "Binary Encoding"): zigzag varints, length-prefixed bytes, and
// whole values encoded or decoded by their schema. The decoder bounds-checks every read, so a
// truncated or hostile file gives Corruption, never a crash.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "table/avro_datum.h"
#include "table/avro_schema.h"

namespace braid {

/// Appends `v` as a zigzag varint (Avro int and long).
void AppendAvroLong(int64_t v, std::string* out);
/// Appends a length-prefixed byte string (Avro bytes and string).
void AppendAvroBytes(std::string_view v, std::string* out);

/// Appends `datum` encoded by `schema`. A union takes its null branch for a null datum, else
/// the first branch whose type fits the datum. InvalidArgument when the datum does not fit.
Status EncodeAvroDatum(const AvroNode& schema, const AvroDatum& datum, std::string* out);

/// Whether a value of `schema` can encode to zero bytes (null, empty records): decoders use
/// it to tell a plausible item count from a lie.
bool AvroCanBeEmpty(const AvroNode& schema);

/// Reads Avro values from a byte range it does not own.
class AvroDecoder {
 public:
  explicit AvroDecoder(std::string_view data) : data_(data) {}

  Result<int64_t> ReadLong();
  Result<std::string_view> ReadBytes();
  Result<std::string_view> ReadFixed(size_t size);
  /// Decodes one value written with `schema`.
  Result<AvroDatum> ReadDatum(const AvroNode& schema);

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  Status Truncated(std::string_view what) const;
  Result<AvroDatum> ReadBlocks(const AvroNode& schema, bool is_map);

  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace braid
