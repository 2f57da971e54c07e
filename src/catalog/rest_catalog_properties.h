#pragma once
// RestCatalogProperties: the REST catalog's settings as users already write them, turned into
// the one form RestCatalog reads. Accepts Iceberg's REST names (type = rest, uri, warehouse,
// prefix, token, credential, oauth2-server-uri, scope, header.*) and the Spark settings of a
// notebook pasted as they are: catalog-impl = org.apache.iceberg.nessie.NessieCatalog with
// uri = http://host:19120/api/v2 and ref = main becomes Nessie's Iceberg REST endpoint
// http://host:19120/iceberg on that branch; catalog-impl = org.apache.iceberg.rest.RESTCatalog
// is type = rest; authentication.type NONE / BEARER (authentication.token); io-impl S3FileIO or
// HadoopFileIO; warehouse s3a://... read as s3://. A setting braid cannot honour is refused by
// name, never ignored.

#include <map>
#include <string>

#include "base/result.h"

namespace braid {

using PropertyMap = std::map<std::string, std::string>;

class RestCatalogProperties {
 public:
  /// Whether `properties` ask for a REST catalog (type rest or nessie, or a catalog-impl of
  /// RESTCatalog or NessieCatalog).
  static bool Selects(const PropertyMap& properties);

  /// The properties in braid's REST form: type = rest, uri without a trailing '/', Spark and
  /// Nessie names mapped, the keys consumed by the mapping removed, everything else (s3.*,
  /// header.*, ...) kept. InvalidArgument naming the property for a missing uri, an
  /// unsupported catalog-impl, authentication.type or io-impl, a Nessie uri that is not an
  /// /api/v1, /api/v2 or /iceberg endpoint, both token and credential.
  static Result<PropertyMap> Normalize(const PropertyMap& properties);

  /// The catalog's effective properties after GET /v1/config, by the spec's precedence: the
  /// server's `defaults`, overridden by the user's properties, overridden by its `overrides`.
  static PropertyMap Merge(const PropertyMap& defaults, const PropertyMap& user,
                           const PropertyMap& overrides);
};

}  // namespace braid
