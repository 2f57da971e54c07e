// Fuzz target: the REST catalog's JSON answers. A scripted transport answers one catalog call
// (GET /v1/config, list namespaces or tables, create a namespace, load, create, commit, drop:
// picked by the second input byte) with the fuzzed body and a status code picked by the first;
// pagination ends after one page. One call per input keeps each input to one or two parses.
// Property: whatever a server answers, each call returns a value or an error (the catalog
// never throws, crashes or loops), and an answer that loads a table holds valid metadata.

#include "catalog/rest_catalog.h"
#include "fuzz_check.h"

namespace braid {
namespace {

constexpr int kStatuses[] = {200, 200, 200, 200, 204, 400, 404, 409, 500, 503};

class ScriptedTransport final : public HttpTransport {
 public:
  ScriptedTransport(int status, std::string body) : status_(status), body_(std::move(body)) {}
  /// The next `n` requests get the fuzzed answer; later ones an empty 200 page.
  void Answer(int n) { left_ = n; }
  Result<RestHttpResponse> Send(const RestHttpRequest&) override {
    if (left_-- > 0) return RestHttpResponse{status_, body_};
    return RestHttpResponse{200, "{}"};
  }

 private:
  int status_;
  std::string body_;
  int left_ = 0;
};

}  // namespace
}  // namespace braid

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace braid;
  if (size < 2) return 0;
  const int status = kStatuses[data[0] % std::size(kStatuses)];
  const int call = data[1] % 7;
  auto transport = std::make_shared<ScriptedTransport>(status, std::string(fuzz::AsView(data + 2, size - 2)));
  RestCatalogSeams seams;
  seams.transport = transport;
  seams.sleep = [](std::chrono::milliseconds) {};
  const PropertyMap properties{{"type", "rest"}, {"uri", "http://catalog:8181"}};
  transport->Answer(call == 0 ? 1 : 0);  // call 0: the fuzzed answer configures the catalog
  Result<std::unique_ptr<RestCatalog>> opened = RestCatalog::Open(properties, seams);
  if (call == 0) return 0;
  BRAID_FUZZ_CHECK(opened.ok());  // a plain configuration always opens
  RestCatalog& catalog = **opened;
  const TableIdentifier id{"ns", "t"};
  const RowSchema schema{{"user_id", ColumnType::kString, 1}};
  switch (call) {
    case 1:
      transport->Answer(1);
      (void)catalog.ListNamespaces();
      break;
    case 2:
      transport->Answer(1);
      (void)catalog.ListTables("ns");
      break;
    case 3:
      transport->Answer(1);
      (void)catalog.CreateNamespace("ns");
      break;
    case 4: {
      transport->Answer(1);
      Result<TableState> loaded = catalog.LoadTable(id);
      if (loaded.ok()) BRAID_FUZZ_CHECK(loaded->metadata.CurrentSchema() != nullptr);
      break;
    }
    case 5:
      transport->Answer(2);
      (void)catalog.CreateTable(id, schema);
      break;
    default: {
      const TableState base{TableMetadata::NewTable("file:///w/ns/t", schema, {}, 1000),
                            "file:///w/ns/t/metadata/00000.metadata.json"};
      TableMetadata updated = base.metadata;
      updated.properties.emplace("k", "v");  // not operator[]= : GCC 12 warns (-Wrestrict) wrongly
      transport->Answer(2);
      (void)catalog.CommitTable(id, base, updated);
      transport->Answer(1);
      (void)catalog.DropTable(id);
      break;
    }
  }
  return 0;
}
