#include "catalog/catalog_properties.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "storage/s3_options.h"

namespace braid {
namespace {

constexpr char kHadoopImpl[] = "org.apache.iceberg.hadoop.HadoopCatalog";
constexpr char kJdbcImpl[] = "org.apache.iceberg.jdbc.JdbcCatalog";
constexpr char kRestImpl[] = "org.apache.iceberg.rest.RESTCatalog";
constexpr char kNessieImpl[] = "org.apache.iceberg.nessie.NessieCatalog";

std::string Get(const std::map<std::string, std::string>& p, const std::string& key) {
  auto it = p.find(key);
  return it == p.end() ? std::string() : it->second;
}

bool Matches(const std::string& pattern, const std::string& name) {
  if (pattern.ends_with('*')) {
    std::string_view prefix(pattern.data(), pattern.size() - 1);
    return name.size() > prefix.size() && name.starts_with(prefix);
  }
  return pattern == name;
}

// Levenshtein distance, for "did you mean" on a typo; names are short.
size_t Distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string CatalogProperties::TypeOf(const std::map<std::string, std::string>& p) {
  std::string type = Get(p, "type");
  std::string impl = Get(p, "catalog-impl");
  if (type == "nessie" || impl == kNessieImpl) return "nessie";
  if (type == "rest" || impl == kRestImpl) return "rest";
  if (type == "sql" || type == "jdbc" || impl == kJdbcImpl) return "sql";
  if (!impl.empty() && impl != kHadoopImpl) return impl;
  if (type.empty() || type == "file" || type == "hadoop") return "file";
  return type;
}

std::vector<std::string> CatalogProperties::Known(const std::string& type) {
  // What each catalog reads: catalog.cc (file), sql_catalog.cc and sql_uri.cc (sql),
  // rest_catalog_properties.cc and rest_catalog.cc (rest, nessie).
  std::vector<std::string> names{"catalog-impl", "io-impl", "name", "type", "warehouse"};
  if (type == "sql") {
    names.insert(names.end(), {"jdbc.password", "jdbc.user", "uri"});
  } else if (type == "rest" || type == "nessie") {
    names.insert(names.end(), {"authentication.token", "authentication.type", "credential", "header.*",
                               "oauth2-server-uri", "prefix", "scope", "token", "uri"});
    if (type == "nessie") names.insert(names.end(), {"ref", "ref.hash"});
  } else if (type != "file") {
    return {};
  }
  const std::vector<std::string>& storage = S3Options::PropertyNames();
  names.insert(names.end(), storage.begin(), storage.end());
  std::sort(names.begin(), names.end());
  return names;
}

Status CatalogProperties::Check(const std::map<std::string, std::string>& properties) {
  std::string type = TypeOf(properties);
  std::vector<std::string> known = Known(type);
  if (known.empty()) return Status::Ok();
  for (const auto& property : properties) {
    const std::string& name = property.first;  // a plain reference: lambdas capture it (clang 14)
    bool found = std::any_of(known.begin(), known.end(),
                             [&](const std::string& k) { return Matches(k, name); });
    if (found) continue;
    std::string hint;
    size_t best = 3;  // suggest only a near miss: one or two letters off
    for (const std::string& k : known) {
      size_t d = k.ends_with('*') ? best : Distance(name, k);
      if (d < best) {
        best = d;
        hint = fmt::format(" (did you mean \"{}\"?)", k);
      }
    }
    return Status::InvalidArgument(fmt::format(
        "unknown catalog property \"{}\"{}; the {} catalog takes {}", name, hint, type, fmt::join(known, ", ")));
  }
  // io-impl only says which Java class does the I/O; braid picks its storage from the
  // location's scheme, which is right for these and nothing else.
  std::string io = Get(properties, "io-impl");
  if (!io.empty() && io != "org.apache.iceberg.aws.s3.S3FileIO" && io != "org.apache.iceberg.hadoop.HadoopFileIO" &&
      io != "org.apache.iceberg.io.ResolvingFileIO") {
    return Status::InvalidArgument(fmt::format(
        "io-impl \"{}\" is not supported by braid: use org.apache.iceberg.aws.s3.S3FileIO or "
        "org.apache.iceberg.hadoop.HadoopFileIO (braid picks its storage from the location's scheme)", io));
  }
  return Status::Ok();
}

}  // namespace braid
