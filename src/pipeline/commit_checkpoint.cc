#include "pipeline/commit_checkpoint.h"

#include <fmt/format.h>

#include <cstring>

#include "join/byte_io.h"
#include "join/crc32c.h"

namespace braid {
namespace {

constexpr std::string_view kMagic = "BRAIDCC1";
constexpr uint32_t kVersion = 1;

void EncodeRows(const RowBatch& batch, ByteWriter& w) {
  w.U64(batch.num_rows());
  w.U32(static_cast<uint32_t>(batch.num_columns()));
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    const ColumnData& col = batch.column(c);
    const ColumnType type = batch.schema()[c].type;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      w.U8(col.valid[r]);
      if (!col.valid[r]) continue;
      switch (type) {
        case ColumnType::kString: w.Str(col.string_at(r)); break;
        case ColumnType::kDouble: {
          uint64_t bits;
          std::memcpy(&bits, &col.doubles[r], 8);
          w.U64(bits);
          break;
        }
        default: w.I64(col.ints[r]); break;
      }
    }
  }
}

Status DecodeRows(ByteReader& r, const RowSchema& schema, RowBatch* out) {
  uint64_t rows = 0;
  uint32_t cols = 0;
  BRAID_RETURN_IF_ERROR(r.U64(&rows, "reject row count"));
  BRAID_RETURN_IF_ERROR(r.U32(&cols, "reject column count"));
  if (cols != schema.size()) return r.Error("reject rows have a different column count");
  if (rows > r.remaining()) return r.Error("reject row count larger than the checkpoint");
  // Stored column by column; the batch appends row by row, so gather the cells first.
  struct Cell {
    bool valid;
    std::string_view s;
    int64_t i;
    double d;
  };
  std::vector<std::vector<Cell>> cells(cols, std::vector<Cell>(rows));
  for (uint32_t c = 0; c < cols; ++c) {
    for (uint64_t k = 0; k < rows; ++k) {
      Cell& cell = cells[c][k];
      uint8_t valid = 0;
      BRAID_RETURN_IF_ERROR(r.U8(&valid, "reject cell"));
      cell.valid = valid != 0;
      if (!cell.valid) continue;
      switch (schema[c].type) {
        case ColumnType::kString: BRAID_RETURN_IF_ERROR(r.Str(&cell.s, "reject string")); break;
        case ColumnType::kDouble: {
          uint64_t bits = 0;
          BRAID_RETURN_IF_ERROR(r.U64(&bits, "reject double"));
          std::memcpy(&cell.d, &bits, 8);
          break;
        }
        default: BRAID_RETURN_IF_ERROR(r.I64(&cell.i, "reject integer")); break;
      }
    }
  }
  for (uint64_t k = 0; k < rows; ++k) {
    for (uint32_t c = 0; c < cols; ++c) {
      const Cell& cell = cells[c][k];
      if (!cell.valid) {
        out->AppendNull();
      } else if (schema[c].type == ColumnType::kString) {
        out->AppendString(cell.s);
      } else if (schema[c].type == ColumnType::kDouble) {
        out->AppendDouble(cell.d);
      } else {
        out->AppendInt(cell.i);
      }
    }
    out->EndRow();
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeCheckpoint(const CommitCheckpoint& checkpoint) {
  // Sized once (the rows' ByteSize bounds their encoding): growing by doubling would hold up to
  // two more copies of the join state for a moment.
  std::string out;
  out.reserve(kMagic.size() + 12 + checkpoint.engine_state.size() + 12 + checkpoint.rejects.ByteSize());
  out.append(kMagic);
  ByteWriter w(&out);
  w.U32(kVersion);
  w.Str(checkpoint.engine_state);
  EncodeRows(checkpoint.rejects, w);
  w.U32(Crc32c(out));
  return out;
}

Result<CommitCheckpoint> DecodeCheckpoint(std::string_view data, const RowSchema& rejects_schema) {
  if (data.size() < kMagic.size() + 8 || data.substr(0, kMagic.size()) != kMagic) {
    return Status::Corruption("not a braid commit checkpoint (bad magic)");
  }
  const std::string_view body = data.substr(0, data.size() - 4);
  uint32_t stored_crc;
  std::memcpy(&stored_crc, data.data() + body.size(), 4);
  if (Crc32c(body) != stored_crc) {
    return Status::Corruption("commit checkpoint is damaged (CRC-32C mismatch)");
  }
  ByteReader r(body.substr(kMagic.size()));
  uint32_t version = 0;
  BRAID_RETURN_IF_ERROR(r.U32(&version, "version"));
  if (version != kVersion) {
    return Status::Corruption(fmt::format("commit checkpoint version {} is not supported", version));
  }
  CommitCheckpoint cp;
  cp.rejects = RowBatch(rejects_schema);
  std::string_view state;
  BRAID_RETURN_IF_ERROR(r.Str(&state, "join state"));
  cp.engine_state = std::string(state);
  BRAID_RETURN_IF_ERROR(DecodeRows(r, rejects_schema, &cp.rejects));
  if (r.remaining() != 0) return r.Error("trailing bytes after the reject rows");
  return cp;
}

}  // namespace braid
