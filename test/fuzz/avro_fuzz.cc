// Fuzz target: Avro object container files (AvroReader::Open and ReadAll), the format of every
// manifest and manifest list another Iceberg writer leaves in a table.
// Property of a file that decodes: writing its records again with its own schema (AvroWriter)
// and reading that back gives the same records.

#include <cstring>

#include "fuzz_check.h"
#include "table/avro_reader.h"
#include "table/avro_writer.h"

namespace braid {
namespace {

bool Same(const AvroDatum& a, const AvroDatum& b) {
  if (a.kind != b.kind || a.long_value != b.long_value || a.bytes != b.bytes ||
      a.items.size() != b.items.size() || a.keys != b.keys) {
    return false;
  }
  if (std::memcmp(&a.double_value, &b.double_value, sizeof(double)) != 0) return false;
  for (size_t i = 0; i < a.items.size(); ++i) {
    if (!Same(a.items[i], b.items[i])) return false;
  }
  return true;
}

}  // namespace
}  // namespace braid

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace braid;
  Result<AvroReader> reader = AvroReader::Open(std::string(fuzz::AsView(data, size)), "fuzz.avro");
  if (!reader.ok()) return 0;
  Result<std::vector<AvroDatum>> records = reader->ReadAll();
  if (!records.ok()) return 0;
  auto schema = reader->metadata().find("avro.schema");
  BRAID_FUZZ_CHECK(schema != reader->metadata().end());
  Result<AvroWriter> writer = AvroWriter::Create(schema->second, {});
  BRAID_FUZZ_CHECK(writer.ok());
  for (const AvroDatum& record : *records) {
    const Status appended = writer->Append(record);
    if (!appended.ok()) std::fprintf(stderr, "%s\n", appended.ToString().c_str());
    BRAID_FUZZ_CHECK(appended.ok());
  }
  Result<AvroReader> reread = AvroReader::Open(writer->Finish(), "rewritten.avro");
  BRAID_FUZZ_CHECK(reread.ok());
  Result<std::vector<AvroDatum>> again = reread->ReadAll();
  BRAID_FUZZ_CHECK(again.ok() && again->size() == records->size());
  for (size_t i = 0; i < records->size(); ++i) BRAID_FUZZ_CHECK(Same((*records)[i], (*again)[i]));
  return 0;
}
