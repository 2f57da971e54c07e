#include "table/avro_writer.h"

#include <random>

#include "table/avro_encoding.h"

namespace braid {
namespace {

constexpr size_t kBlockBytes = 1 << 20;
constexpr char kMagic[] = {'O', 'b', 'j', 1};

}  // namespace

Result<AvroWriter> AvroWriter::Create(std::string schema_json,
                                      std::vector<std::pair<std::string, std::string>> metadata) {
  AvroWriter w;
  Result<AvroNodePtr> schema = ParseAvroSchema(schema_json, "writer schema");
  if (!schema.ok()) return Status::InvalidArgument(schema.status().message());
  w.schema_ = std::move(schema).value();

  std::random_device rd;
  for (int i = 0; i < 16; ++i) w.sync_.push_back(static_cast<char>(rd() & 0xff));

  w.out_.append(kMagic, sizeof kMagic);
  metadata.insert(metadata.begin(), {"avro.codec", "null"});
  metadata.insert(metadata.begin(), {"avro.schema", std::move(schema_json)});
  AppendAvroLong(static_cast<int64_t>(metadata.size()), &w.out_);
  for (const auto& [key, value] : metadata) {
    AppendAvroBytes(key, &w.out_);
    AppendAvroBytes(value, &w.out_);
  }
  AppendAvroLong(0, &w.out_);
  w.out_.append(w.sync_);
  return w;
}

Status AvroWriter::Append(const AvroDatum& record) {
  size_t before = block_.size();
  Status st = EncodeAvroDatum(*schema_, record, &block_);
  if (!st.ok()) {
    block_.resize(before);
    return st;
  }
  ++block_count_;
  ++total_;
  if (block_.size() >= kBlockBytes) FlushBlock();
  return Status::Ok();
}

void AvroWriter::FlushBlock() {
  if (block_count_ == 0) return;
  AppendAvroLong(static_cast<int64_t>(block_count_), &out_);
  AppendAvroLong(static_cast<int64_t>(block_.size()), &out_);
  out_.append(block_);
  out_.append(sync_);
  block_.clear();
  block_count_ = 0;
}

std::string AvroWriter::Finish() {
  FlushBlock();
  return std::move(out_);
}

}  // namespace braid
