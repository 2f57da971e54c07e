#pragma once
// CatalogProperties: the one list of catalog properties braid understands, per catalog type
// (file, sql, rest), with the storage properties every type passes to its file system (s3.*,
// client.region). A property braid does not read is refused by name, so a typo such as
// "warehuose" or "s3.secret-acces-key" fails before anything runs instead of being ignored.

#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace braid {

class CatalogProperties {
 public:
  /// The catalog type `properties` select, by the rules OpenCatalog follows: "file" (also
  /// type = hadoop or catalog-impl HadoopCatalog, and the default), "sql" (type sql or jdbc, or
  /// catalog-impl JdbcCatalog), "rest" (type rest, catalog-impl RESTCatalog) or "nessie" (type
  /// nessie, catalog-impl NessieCatalog: a REST catalog that also takes Nessie's "ref"). An
  /// unsupported type is returned as written, for OpenCatalog to refuse.
  static std::string TypeOf(const std::map<std::string, std::string>& properties);

  /// The names the catalog type `type` reads, sorted; a name ending in '*' stands for every
  /// name with that prefix ("header.*" for the REST catalog's extra HTTP headers).
  static std::vector<std::string> Known(const std::string& type);

  /// OK when every property is one the catalog `properties` select reads; otherwise
  /// InvalidArgument naming the first unknown property and listing the known ones. An
  /// unsupported type is not checked here (OpenCatalog refuses it with its own message).
  static Status Check(const std::map<std::string, std::string>& properties);
};

}  // namespace braid
