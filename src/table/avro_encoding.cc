#include "table/avro_encoding.h"

#include <cstdint>
#include <cstring>
#include <limits>

#include <fmt/format.h>

namespace braid {
namespace {

using Kind = AvroDatum::Kind;

bool Fits(const AvroNode& branch, const AvroDatum& d) {
  switch (branch.type) {
    case AvroType::kNull: return d.kind == Kind::kNull;
    case AvroType::kBoolean: return d.kind == Kind::kBool;
    case AvroType::kInt:
      return d.kind == Kind::kLong && d.long_value >= std::numeric_limits<int32_t>::min() &&
             d.long_value <= std::numeric_limits<int32_t>::max();
    case AvroType::kLong: return d.kind == Kind::kLong;
    case AvroType::kEnum: return d.kind == Kind::kLong || d.kind == Kind::kBytes;
    case AvroType::kFloat:
    case AvroType::kDouble: return d.kind == Kind::kDouble;
    case AvroType::kBytes:
    case AvroType::kString: return d.kind == Kind::kBytes;
    case AvroType::kFixed: return d.kind == Kind::kBytes && d.bytes.size() == branch.fixed_size;
    case AvroType::kRecord: return d.kind == Kind::kRecord && d.items.size() == branch.fields.size();
    case AvroType::kArray: return d.kind == Kind::kArray;
    case AvroType::kMap: return d.kind == Kind::kMap;
    case AvroType::kUnion: return false;  // unions do not nest
  }
  return false;
}

template <typename T>
void AppendRaw(T v, std::string* out) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out->append(buf, sizeof(T));
}

Status Mismatch(const AvroNode& schema, const AvroDatum& d) {
  return Status::InvalidArgument(fmt::format("Avro value of kind {} does not fit schema type {}{}",
                                             static_cast<int>(d.kind), static_cast<int>(schema.type),
                                             schema.name.empty() ? "" : " " + schema.name));
}

}  // namespace

bool AvroCanBeEmpty(const AvroNode& n) {
  switch (n.type) {
    case AvroType::kNull: return true;
    case AvroType::kFixed: return n.fixed_size == 0;
    case AvroType::kRecord:
      for (const AvroField& f : n.fields) {
        if (!AvroCanBeEmpty(*f.type)) return false;
      }
      return true;
    default: return false;  // every other value takes at least one byte
  }
}

void AppendAvroLong(int64_t v, std::string* out) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    out->push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out->push_back(static_cast<char>(z));
}

void AppendAvroBytes(std::string_view v, std::string* out) {
  AppendAvroLong(static_cast<int64_t>(v.size()), out);
  out->append(v);
}

Status EncodeAvroDatum(const AvroNode& schema, const AvroDatum& d, std::string* out) {
  if (schema.type == AvroType::kUnion) {
    for (size_t i = 0; i < schema.branches.size(); ++i) {
      if (Fits(*schema.branches[i], d)) {
        AppendAvroLong(static_cast<int64_t>(i), out);
        return EncodeAvroDatum(*schema.branches[i], d, out);
      }
    }
    return Mismatch(schema, d);
  }
  if (!Fits(schema, d)) return Mismatch(schema, d);
  switch (schema.type) {
    case AvroType::kNull: return Status::Ok();
    case AvroType::kBoolean: out->push_back(d.long_value ? 1 : 0); return Status::Ok();
    case AvroType::kInt:
    case AvroType::kLong: AppendAvroLong(d.long_value, out); return Status::Ok();
    case AvroType::kFloat: AppendRaw(static_cast<float>(d.double_value), out); return Status::Ok();
    case AvroType::kDouble: AppendRaw(d.double_value, out); return Status::Ok();
    case AvroType::kBytes:
    case AvroType::kString: AppendAvroBytes(d.bytes, out); return Status::Ok();
    case AvroType::kFixed: out->append(d.bytes); return Status::Ok();
    case AvroType::kEnum: {
      int64_t index = d.long_value;
      if (d.kind == Kind::kBytes) {
        index = -1;
        for (size_t i = 0; i < schema.symbols.size(); ++i) {
          if (schema.symbols[i] == d.bytes) index = static_cast<int64_t>(i);
        }
      }
      if (index < 0 || index >= static_cast<int64_t>(schema.symbols.size())) return Mismatch(schema, d);
      AppendAvroLong(index, out);
      return Status::Ok();
    }
    case AvroType::kRecord:
      for (size_t i = 0; i < schema.fields.size(); ++i) {
        Status st = EncodeAvroDatum(*schema.fields[i].type, d.items[i], out);
        if (!st.ok()) return st.WithContext(fmt::format("field {}", schema.fields[i].name));
      }
      return Status::Ok();
    case AvroType::kArray:
    case AvroType::kMap:
      if (schema.type == AvroType::kMap && d.keys.size() != d.items.size()) return Mismatch(schema, d);
      if (!d.items.empty()) {
        AppendAvroLong(static_cast<int64_t>(d.items.size()), out);
        for (size_t i = 0; i < d.items.size(); ++i) {
          if (schema.type == AvroType::kMap) AppendAvroBytes(d.keys[i], out);
          BRAID_RETURN_IF_ERROR(EncodeAvroDatum(*schema.items, d.items[i], out));
        }
      }
      AppendAvroLong(0, out);
      return Status::Ok();
    case AvroType::kUnion: break;
  }
  return Mismatch(schema, d);
}

Status AvroDecoder::Truncated(std::string_view what) const {
  return Status::Corruption(fmt::format("Avro data ends or is malformed in {} at byte {}", what, pos_));
}

Result<int64_t> AvroDecoder::ReadLong() {
  uint64_t z = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= data_.size()) return Truncated("a varint");
    uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    z |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  return Truncated("a varint longer than 10 bytes");
}

Result<std::string_view> AvroDecoder::ReadBytes() {
  BRAID_ASSIGN_OR_RETURN(int64_t len, ReadLong());
  if (len < 0 || static_cast<uint64_t>(len) > remaining()) return Truncated("a length-prefixed value");
  return ReadFixed(static_cast<size_t>(len));
}

Result<std::string_view> AvroDecoder::ReadFixed(size_t size) {
  if (size > remaining()) return Truncated("a fixed-size value");
  std::string_view v = data_.substr(pos_, size);
  pos_ += size;
  return v;
}

Result<AvroDatum> AvroDecoder::ReadBlocks(const AvroNode& schema, bool is_map) {
  AvroDatum d;
  d.kind = is_map ? Kind::kMap : Kind::kArray;
  while (true) {
    BRAID_ASSIGN_OR_RETURN(int64_t count, ReadLong());
    if (count == 0) return d;
    if (count < 0) {
      if (count == std::numeric_limits<int64_t>::min()) return Truncated("a block count");
      count = -count;
      BRAID_ASSIGN_OR_RETURN(int64_t block_bytes, ReadLong());
      (void)block_bytes;  // only useful to skip a block, and every block is decoded here
    }
    // Each item takes at least one byte unless it can be empty; a larger count is a lie.
    uint64_t limit = AvroCanBeEmpty(*schema.items) && !is_map ? (1u << 20) : remaining();
    if (static_cast<uint64_t>(count) > limit || d.items.size() + count > (1u << 24)) {
      return Truncated("an array or map block count");
    }
    for (int64_t i = 0; i < count; ++i) {
      if (is_map) {
        BRAID_ASSIGN_OR_RETURN(std::string_view key, ReadBytes());
        d.keys.emplace_back(key);
      }
      BRAID_ASSIGN_OR_RETURN(AvroDatum item, ReadDatum(*schema.items));
      d.items.push_back(std::move(item));
    }
  }
}

Result<AvroDatum> AvroDecoder::ReadDatum(const AvroNode& schema) {
  switch (schema.type) {
    case AvroType::kNull: return AvroDatum::Null();
    case AvroType::kBoolean: {
      BRAID_ASSIGN_OR_RETURN(std::string_view b, ReadFixed(1));
      return AvroDatum::Bool(b[0] != 0);
    }
    case AvroType::kInt: {
      // An Avro int is 32 bits: a longer varint would be cut when stored (int32 counts).
      BRAID_ASSIGN_OR_RETURN(int64_t v, ReadLong());
      if (v < INT32_MIN || v > INT32_MAX) return Truncated("an int (outside the 32-bit range)");
      return AvroDatum::Long(v);
    }
    case AvroType::kLong: {
      BRAID_ASSIGN_OR_RETURN(int64_t v, ReadLong());
      return AvroDatum::Long(v);
    }
    case AvroType::kFloat: {
      BRAID_ASSIGN_OR_RETURN(std::string_view b, ReadFixed(4));
      float f;
      std::memcpy(&f, b.data(), 4);
      return AvroDatum::Double(f);
    }
    case AvroType::kDouble: {
      BRAID_ASSIGN_OR_RETURN(std::string_view b, ReadFixed(8));
      double v;
      std::memcpy(&v, b.data(), 8);
      return AvroDatum::Double(v);
    }
    case AvroType::kBytes:
    case AvroType::kString: {
      BRAID_ASSIGN_OR_RETURN(std::string_view b, ReadBytes());
      return AvroDatum::Bytes(std::string(b));
    }
    case AvroType::kFixed: {
      BRAID_ASSIGN_OR_RETURN(std::string_view b, ReadFixed(schema.fixed_size));
      return AvroDatum::Bytes(std::string(b));
    }
    case AvroType::kEnum: {
      BRAID_ASSIGN_OR_RETURN(int64_t index, ReadLong());
      if (index < 0 || index >= static_cast<int64_t>(schema.symbols.size())) return Truncated("an enum");
      AvroDatum d = AvroDatum::Bytes(schema.symbols[index]);
      d.long_value = index;
      return d;
    }
    case AvroType::kRecord: {
      std::vector<AvroDatum> fields;
      fields.reserve(schema.fields.size());
      for (const AvroField& f : schema.fields) {
        BRAID_ASSIGN_OR_RETURN(AvroDatum v, ReadDatum(*f.type));
        fields.push_back(std::move(v));
      }
      return AvroDatum::Record(std::move(fields));
    }
    case AvroType::kArray: return ReadBlocks(schema, false);
    case AvroType::kMap: return ReadBlocks(schema, true);
    case AvroType::kUnion: {
      BRAID_ASSIGN_OR_RETURN(int64_t branch, ReadLong());
      if (branch < 0 || branch >= static_cast<int64_t>(schema.branches.size())) {
        return Truncated("a union branch index");
      }
      return ReadDatum(*schema.branches[branch]);
    }
  }
  return Truncated("a value of unknown type");
}

}  // namespace braid
