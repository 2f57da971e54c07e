// Fuzz target: the REST catalog's JSON answers. A scripted transport answers each catalog call
// (GET /v1/config, list namespaces and tables, load, create, commit, drop) with the fuzzed body
// and a status code picked by the first input byte; pagination ends after one page.
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
  if (size == 0) return 0;
  const int status = kStatuses[data[0] % std::size(kStatuses)];
  auto transport = std::make_shared<ScriptedTransport>(status, std::string(fuzz::AsView(data + 1, size - 1)));
  RestCatalogSeams seams;
  seams.transport = transport;
  seams.sleep = [](std::chrono::milliseconds) {};
  const PropertyMap properties{{"type", "rest"}, {"uri", "http://catalog:8181"}};
  transport->Answer(1);
  Result<std::unique_ptr<RestCatalog>> opened = RestCatalog::Open(properties, seams);
  if (!opened.ok()) {
    transport->Answer(0);  // a plain configuration, so the other calls get the fuzzed answers
    opened = RestCatalog::Open(properties, seams);
    BRAID_FUZZ_CHECK(opened.ok());
  }
  RestCatalog& catalog = **opened;
  const TableIdentifier id{"ns", "t"};
  const RowSchema schema{{"user_id", ColumnType::kString, 1}};

  transport->Answer(1);
  (void)catalog.ListNamespaces();
  transport->Answer(1);
  (void)catalog.ListTables("ns");
  transport->Answer(1);
  (void)catalog.CreateNamespace("ns");
  transport->Answer(1);
  Result<TableState> loaded = catalog.LoadTable(id);
  if (loaded.ok()) BRAID_FUZZ_CHECK(loaded->metadata.CurrentSchema() != nullptr);
  transport->Answer(2);
  (void)catalog.CreateTable(id, schema);
  const TableState base{TableMetadata::NewTable("file:///w/ns/t", schema, {}, 1000),
                        "file:///w/ns/t/metadata/00000.metadata.json"};
  TableMetadata updated = base.metadata;
  updated.properties.emplace("k", "v");  // not operator[]= : GCC 12 warns (-Wrestrict) wrongly
  transport->Answer(2);
  (void)catalog.CommitTable(id, base, updated);
  transport->Answer(1);
  (void)catalog.DropTable(id);
  return 0;
}
