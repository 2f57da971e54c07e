#include "catalog/rest_catalog_properties.h"

#include <gtest/gtest.h>

namespace braid {
namespace {

std::string Error(const PropertyMap& p) {
  auto r = RestCatalogProperties::Normalize(p);
  return r.ok() ? "ok" : r.status().message();
}

TEST(RestCatalogPropertiesTest, SparkNessieSettingsMapToNessiesIcebergEndpoint) {
  PropertyMap spark = {{"catalog-impl", "org.apache.iceberg.nessie.NessieCatalog"},
                       {"uri", "http://nessie:19120/api/v2"},
                       {"ref", "main"},
                       {"authentication.type", "NONE"},
                       {"io-impl", "org.apache.iceberg.aws.s3.S3FileIO"},
                       {"warehouse", "s3a://warehouse/"},
                       {"s3.endpoint", "http://minio:9000"}};
  ASSERT_TRUE(RestCatalogProperties::Selects(spark));
  auto p = RestCatalogProperties::Normalize(spark);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->at("type"), "rest");
  EXPECT_EQ(p->at("uri"), "http://nessie:19120/iceberg");
  EXPECT_EQ(p->at("warehouse"), "s3://warehouse/");
  EXPECT_EQ(p->at("nessie.ref"), "main");
  EXPECT_EQ(p->at("s3.endpoint"), "http://minio:9000");
  EXPECT_FALSE(p->count("catalog-impl") || p->count("io-impl") || p->count("authentication.type") || p->count("ref"));

  spark["uri"] = "http://nessie:19120/api/v1/";
  EXPECT_EQ(RestCatalogProperties::Normalize(spark)->at("uri"), "http://nessie:19120/iceberg");
  spark["uri"] = "http://nessie:19120/iceberg/";
  EXPECT_EQ(RestCatalogProperties::Normalize(spark)->at("uri"), "http://nessie:19120/iceberg");
  spark["uri"] = "http://nessie:19120/";
  EXPECT_NE(Error(spark).find("Nessie endpoint"), std::string::npos);
}

TEST(RestCatalogPropertiesTest, BearerAuthenticationBecomesTheToken) {
  auto p = RestCatalogProperties::Normalize({{"catalog-impl", "org.apache.iceberg.nessie.NessieCatalog"},
                                             {"uri", "http://n:19120/api/v2"},
                                             {"authentication.type", "BEARER"},
                                             {"authentication.token", "s3cr3t"}});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->at("token"), "s3cr3t");
  EXPECT_FALSE(p->count("authentication.token"));
}

TEST(RestCatalogPropertiesTest, RefusesWhatItCannotHonourByName) {
  PropertyMap base = {{"type", "rest"}, {"uri", "http://h:8181"}};
  auto with = [&](std::string k, std::string v) { PropertyMap p = base; p[k] = v; return p; };
  EXPECT_NE(Error(with("authentication.type", "OAUTH2")).find("authentication.type \"OAUTH2\""), std::string::npos);
  EXPECT_NE(Error(with("authentication.type", "BEARER")).find("authentication.token"), std::string::npos);
  EXPECT_NE(Error(with("io-impl", "org.apache.iceberg.gcp.gcs.GCSFileIO")).find("io-impl \"org.apache.iceberg.gcp.gcs.GCSFileIO\""), std::string::npos);
  EXPECT_NE(Error(with("catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog")).find("catalog-impl"), std::string::npos);
  EXPECT_NE(Error(with("authentication.client-id", "x")).find("authentication.client-id"), std::string::npos);
  PropertyMap both = with("token", "t");
  both["credential"] = "id:secret";
  std::string m = Error(both);
  EXPECT_NE(m.find("token or credential"), std::string::npos);
  EXPECT_EQ(m.find("secret"), std::string::npos) << "secrets never appear in messages: " << m;
  EXPECT_NE(Error({{"type", "rest"}}).find("needs a uri"), std::string::npos);
  EXPECT_NE(Error({{"type", "rest"}, {"uri", "h:8181"}}).find("http://"), std::string::npos);
  EXPECT_EQ(Error(with("io-impl", "org.apache.iceberg.hadoop.HadoopFileIO")), "ok");
  EXPECT_EQ(Error(with("catalog-impl", "org.apache.iceberg.rest.RESTCatalog")), "ok");
  EXPECT_FALSE(RestCatalogProperties::Selects({{"type", "file"}, {"warehouse", "/w"}}));
}

TEST(RestCatalogPropertiesTest, MergeOrderIsDefaultsThenUserThenOverrides) {
  PropertyMap merged = RestCatalogProperties::Merge(
      {{"a", "default"}, {"b", "default"}, {"c", "default"}},
      {{"b", "user"}, {"c", "user"}},
      {{"c", "override"}});
  EXPECT_EQ(merged["a"], "default");
  EXPECT_EQ(merged["b"], "user");
  EXPECT_EQ(merged["c"], "override");
}

}  // namespace
}  // namespace braid
