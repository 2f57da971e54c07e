#include "table/avro_reader.h"

#include <fmt/format.h>

#include "table/avro_encoding.h"
#include "table/raw_inflate.h"

namespace braid {

Result<AvroReader> AvroReader::Open(std::string bytes, std::string what) {
  AvroReader r;
  r.bytes_ = std::move(bytes);
  r.what_ = std::move(what);
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption(fmt::format("{}: not a valid Avro file: {}", r.what_, why));
  };
  if (r.bytes_.size() < 4 || r.bytes_.compare(0, 4, std::string("Obj\x01", 4)) != 0) {
    return corrupt("bad magic");
  }
  AvroDecoder dec(std::string_view(r.bytes_).substr(4));
  AvroNode bytes_node;
  bytes_node.type = AvroType::kBytes;
  AvroNode map_node;
  map_node.type = AvroType::kMap;
  map_node.items = std::make_shared<AvroNode>(bytes_node);
  Result<AvroDatum> meta = dec.ReadDatum(map_node);
  if (!meta.ok()) return corrupt(meta.status().message());
  for (size_t i = 0; i < meta->keys.size(); ++i) r.metadata_[meta->keys[i]] = meta->items[i].bytes;
  Result<std::string_view> sync = dec.ReadFixed(16);
  if (!sync.ok()) return corrupt("header ends before the sync marker");
  r.sync_ = std::string(*sync);
  r.body_ = 4 + dec.position();

  auto schema = r.metadata_.find("avro.schema");
  if (schema == r.metadata_.end()) return corrupt("no avro.schema in the header");
  BRAID_ASSIGN_OR_RETURN(r.schema_, ParseAvroSchema(schema->second, r.what_));
  auto codec = r.metadata_.find("avro.codec");
  std::string codec_name = codec == r.metadata_.end() ? "null" : codec->second;
  if (codec_name == "deflate") {
    r.deflate_ = true;
  } else if (codec_name != "null") {
    return Status::InvalidArgument(
        fmt::format("{}: Avro codec \"{}\" is not supported (null and deflate are)", r.what_, codec_name));
  }
  return r;
}

Result<std::vector<AvroDatum>> AvroReader::ReadAll() {
  std::vector<AvroDatum> out;
  AvroDecoder blocks(std::string_view(bytes_).substr(body_));
  while (blocks.remaining() > 0) {
    Result<int64_t> count = blocks.ReadLong();
    Result<std::string_view> data = count.ok() ? blocks.ReadBytes() : count.status();
    Result<std::string_view> sync = data.ok() ? blocks.ReadFixed(16) : data.status();
    if (!sync.ok()) return sync.status().WithContext(what_);
    if (*sync != sync_) return Status::Corruption(fmt::format("{}: sync marker mismatch", what_));
    std::string inflated;
    std::string_view block = *data;
    if (deflate_) {
      BRAID_ASSIGN_OR_RETURN(inflated, RawInflate(block, what_));
      block = inflated;
    }
    // A record takes at least one byte unless the schema allows empty ones: a larger count
    // is corruption, not a reason to allocate.
    const uint64_t limit = AvroCanBeEmpty(*schema_) ? (1u << 20) : block.size();
    if (*count < 0 || static_cast<uint64_t>(*count) > limit) {
      return Status::Corruption(fmt::format("{}: bad block record count {}", what_, *count));
    }
    AvroDecoder dec(block);
    for (int64_t i = 0; i < *count; ++i) {
      Result<AvroDatum> record = dec.ReadDatum(*schema_);
      if (!record.ok()) return record.status().WithContext(what_);
      out.push_back(std::move(record).value());
    }
  }
  return out;
}

}  // namespace braid
