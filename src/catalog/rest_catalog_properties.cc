#include "catalog/rest_catalog_properties.h"

#include <fmt/format.h>

#include "catalog/rest_client.h"

namespace braid {
namespace {

constexpr char kRestImpl[] = "org.apache.iceberg.rest.RESTCatalog";
constexpr char kNessieImpl[] = "org.apache.iceberg.nessie.NessieCatalog";

std::string Get(const PropertyMap& p, const std::string& key) {
  auto it = p.find(key);
  return it == p.end() ? std::string() : it->second;
}

// "http://host:19120/api/v2" → "http://host:19120/iceberg"; a uri already naming the Iceberg
// endpoint is kept.
Result<std::string> NessieIcebergUri(std::string uri) {
  while (!uri.empty() && uri.back() == '/') uri.pop_back();
  for (const char* api : {"/api/v1", "/api/v2", "/api"}) {
    if (uri.ends_with(api)) return uri.substr(0, uri.size() - std::string_view(api).size()) + "/iceberg";
  }
  if (uri.ends_with("/iceberg")) return uri;
  return Status::InvalidArgument(fmt::format(
      "uri \"{}\" is not a Nessie endpoint braid knows: use http://host:19120/api/v2 (or /api/v1, "
      "or the Iceberg REST endpoint http://host:19120/iceberg)", uri));
}

}  // namespace

bool RestCatalogProperties::Selects(const PropertyMap& p) {
  std::string type = Get(p, "type");
  std::string impl = Get(p, "catalog-impl");
  return type == "rest" || type == "nessie" || impl == kRestImpl || impl == kNessieImpl;
}

Result<PropertyMap> RestCatalogProperties::Normalize(const PropertyMap& in) {
  PropertyMap p = in;
  std::string type = Get(p, "type");
  std::string impl = Get(p, "catalog-impl");
  bool nessie = type == "nessie" || impl == kNessieImpl;
  if (!impl.empty() && impl != kRestImpl && impl != kNessieImpl) {
    return Status::InvalidArgument(fmt::format(
        "catalog-impl \"{}\" is not supported by braid: use {} or {} (or type = rest)", impl,
        kRestImpl, kNessieImpl));
  }
  if (!type.empty() && type != "rest" && type != "nessie") {
    return Status::InvalidArgument(fmt::format(
        "type \"{}\" contradicts catalog-impl \"{}\": set one of them", type, impl));
  }
  p.erase("catalog-impl");
  p["type"] = "rest";

  // authentication.* are the Nessie client's settings.
  std::string auth = Get(p, "authentication.type");
  if (!auth.empty()) {
    if (auth == "BEARER") {
      std::string token = Get(p, "authentication.token");
      if (token.empty()) {
        return Status::InvalidArgument("authentication.type = BEARER needs authentication.token");
      }
      p["token"] = token;
    } else if (auth != "NONE") {
      return Status::InvalidArgument(fmt::format(
          "authentication.type \"{}\" is not supported by braid: use NONE or BEARER (with "
          "authentication.token), or credential for OAuth2 client credentials", auth));
    }
    p.erase("authentication.type");
    p.erase("authentication.token");
  }
  for (const auto& [k, v] : p) {
    if (k.starts_with("authentication.")) {
      return Status::InvalidArgument(fmt::format(
          "{} is not supported by braid: only authentication.type and authentication.token are", k));
    }
  }

  std::string io = Get(p, "io-impl");
  if (!io.empty()) {
    if (io != "org.apache.iceberg.aws.s3.S3FileIO" && io != "org.apache.iceberg.hadoop.HadoopFileIO" &&
        io != "org.apache.iceberg.io.ResolvingFileIO") {
      return Status::InvalidArgument(fmt::format(
          "io-impl \"{}\" is not supported by braid: use org.apache.iceberg.aws.s3.S3FileIO or "
          "org.apache.iceberg.hadoop.HadoopFileIO (braid picks its storage from the location's scheme)", io));
    }
    p.erase("io-impl");
  }
  if (std::string wh = Get(p, "warehouse"); wh.starts_with("s3a://") || wh.starts_with("s3n://")) {
    p["warehouse"] = "s3://" + wh.substr(6);
  }
  if (!Get(p, "token").empty() && !Get(p, "credential").empty()) {
    return Status::InvalidArgument("set either token or credential for the REST catalog, not both");
  }

  std::string uri = Get(p, "uri");
  if (uri.empty()) {
    return Status::InvalidArgument(nessie
        ? "the Nessie catalog needs a uri, e.g. uri = http://127.0.0.1:19120/api/v2"
        : "the REST catalog needs a uri, e.g. uri = http://127.0.0.1:8181");
  }
  if (!uri.starts_with("http://") && !uri.starts_with("https://")) {
    return Status::InvalidArgument(fmt::format("uri \"{}\" must start with http:// or https://", uri));
  }
  while (!uri.empty() && uri.back() == '/') uri.pop_back();
  if (nessie) {
    BRAID_ASSIGN_OR_RETURN(uri, NessieIcebergUri(uri));
    // Nessie's REST prefix is "{ref}|{warehouse}" (percent-encoded). Its config endpoint builds
    // it for the default branch from ?warehouse= (a warehouse name or location); RestCatalog
    // builds it for another ref.
    if (p.count("ref.hash")) {
      return Status::InvalidArgument("ref.hash is not supported by braid: commits go to the head of ref");
    }
    if (std::string ref = Get(p, "ref"); !ref.empty()) p["nessie.ref"] = ref;
    p.erase("ref");
  }
  p["uri"] = uri;
  return p;
}

PropertyMap RestCatalogProperties::Merge(const PropertyMap& defaults, const PropertyMap& user,
                                         const PropertyMap& overrides) {
  PropertyMap out = defaults;
  for (const auto& [k, v] : user) out[k] = v;
  for (const auto& [k, v] : overrides) out[k] = v;
  return out;
}

}  // namespace braid
