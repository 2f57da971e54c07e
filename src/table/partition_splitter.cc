#include "table/partition_splitter.h"

#include <string>
#include <unordered_map>

#include <fmt/format.h>

namespace braid {
namespace {

// Appends row `row` of `from` to `to` (same schema).
void CopyRow(const RowBatch& from, size_t row, RowBatch* to) {
  for (size_t c = 0; c < from.num_columns(); ++c) {
    const ColumnData& col = from.column(c);
    if (!col.valid[row]) {
      to->AppendNull();
      continue;
    }
    switch (from.schema()[c].type) {
      case ColumnType::kString: to->AppendString(col.string_at(row)); break;
      case ColumnType::kDouble: to->AppendDouble(col.doubles[row]); break;
      case ColumnType::kInt64:
      case ColumnType::kInt32:
      case ColumnType::kTimestampTz: to->AppendInt(col.ints[row]); break;
    }
  }
  to->EndRow();
}

// A byte string that is equal for equal tuples and differs otherwise.
void AppendKey(const AvroDatum& v, std::string* key) {
  key->push_back(static_cast<char>(v.kind));
  switch (v.kind) {
    case AvroDatum::Kind::kLong: key->append(reinterpret_cast<const char*>(&v.long_value), sizeof v.long_value); break;
    case AvroDatum::Kind::kDouble:
      key->append(reinterpret_cast<const char*>(&v.double_value), sizeof v.double_value);
      break;
    case AvroDatum::Kind::kBytes: {
      uint64_t n = v.bytes.size();
      key->append(reinterpret_cast<const char*>(&n), sizeof n);
      key->append(v.bytes);
      break;
    }
    default: break;
  }
}

}  // namespace

std::string PartitionKey(const std::vector<AvroDatum>& tuple) {
  std::string key;
  for (const AvroDatum& v : tuple) AppendKey(v, &key);
  return key;
}

Result<PartitionSplitter> PartitionSplitter::Create(const PartitionSpec& spec, const RowSchema& schema) {
  std::vector<BoundField> fields;
  for (const PartitionField& f : spec.fields) {
    size_t column = schema.size();
    for (size_t c = 0; c < schema.size(); ++c) {
      if (schema[c].field_id == f.source_id) column = c;
    }
    if (column == schema.size()) {
      return Status::InvalidArgument(fmt::format(
          "partition field {}: its source column (field id {}) is not among the rows' columns", f.name, f.source_id));
    }
    if (!f.transform.AppliesTo(schema[column].type)) {
      return Status::InvalidArgument(fmt::format("partition field {}: braid cannot compute {} of column {} ({})",
                                                 f.name, f.transform.ToString(), schema[column].name,
                                                 IcebergTypeName(schema[column].type)));
    }
    fields.push_back({column, schema[column].type, f.transform});
  }
  return PartitionSplitter(std::move(fields));
}

std::vector<PartitionedRows> PartitionSplitter::Split(const RowBatch& batch, int64_t target_bytes) const {
  // Row indices of each tuple first, then the copies: a group's pieces are cut in row order.
  std::vector<std::vector<AvroDatum>> tuples;
  std::vector<std::vector<uint32_t>> rows;
  std::unordered_map<std::string, size_t> index;
  std::string key;
  std::vector<AvroDatum> tuple(fields_.size());
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    key.clear();
    for (size_t i = 0; i < fields_.size(); ++i) {
      const BoundField& f = fields_[i];
      tuple[i] = f.transform.Apply(f.type, batch.column(f.column), r);
      AppendKey(tuple[i], &key);
    }
    auto [it, inserted] = index.try_emplace(key, tuples.size());
    if (inserted) {
      tuples.push_back(tuple);
      rows.emplace_back();
    }
    rows[it->second].push_back(static_cast<uint32_t>(r));
  }
  std::vector<PartitionedRows> out;
  for (size_t g = 0; g < tuples.size(); ++g) {
    out.push_back({tuples[g], RowBatch(batch.schema())});
    for (uint32_t r : rows[g]) {
      if (!out.back().rows.empty() && static_cast<int64_t>(out.back().rows.ByteSize()) >= target_bytes) {
        out.push_back({tuples[g], RowBatch(batch.schema())});
      }
      CopyRow(batch, r, &out.back().rows);
    }
  }
  return out;
}

}  // namespace braid
