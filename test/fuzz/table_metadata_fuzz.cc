// Fuzz target: Iceberg table metadata JSON (ParseTableMetadata), v1 or v2, from any writer.
// Property of metadata that parses: braid's serialization of it parses again, and serializing
// that gives the same text (nothing is lost or changed by a second trip).

#include "fuzz_check.h"
#include "table/table_metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace braid;
  Result<TableMetadata> parsed = ParseTableMetadata(fuzz::AsView(data, size), "fuzz.metadata.json");
  if (!parsed.ok()) return 0;
  const std::string text = SerializeTableMetadata(*parsed);
  Result<TableMetadata> again = ParseTableMetadata(text, "reserialized.metadata.json");
  BRAID_FUZZ_CHECK(again.ok());
  BRAID_FUZZ_CHECK(SerializeTableMetadata(*again) == text);
  return 0;
}
