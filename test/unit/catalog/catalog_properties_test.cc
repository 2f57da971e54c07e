#include "catalog/catalog_properties.h"

#include <gtest/gtest.h>

#include "catalog/catalog.h"

namespace braid {
namespace {

using Props = std::map<std::string, std::string>;

std::string Refusal(const Props& p) {
  Status st = CatalogProperties::Check(p);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.kind(), StatusKind::kInvalidArgument);
  return st.message();
}

TEST(CatalogProperties, TheTypeFollowsOpenCatalogsRules) {
  EXPECT_EQ(CatalogProperties::TypeOf({}), "file");
  EXPECT_EQ(CatalogProperties::TypeOf({{"type", "hadoop"}}), "file");
  EXPECT_EQ(CatalogProperties::TypeOf({{"type", "jdbc"}}), "sql");
  EXPECT_EQ(CatalogProperties::TypeOf({{"catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog"}}), "sql");
  EXPECT_EQ(CatalogProperties::TypeOf({{"type", "rest"}}), "rest");
  EXPECT_EQ(CatalogProperties::TypeOf({{"catalog-impl", "org.apache.iceberg.nessie.NessieCatalog"}}), "nessie");
}

TEST(CatalogProperties, MistypedNamesAreRefusedWithTheKnownOnes) {
  std::string m = Refusal({{"warehuose", "/w"}});
  EXPECT_NE(m.find("unknown catalog property \"warehuose\" (did you mean \"warehouse\"?)"), std::string::npos) << m;
  EXPECT_NE(m.find("the file catalog takes "), std::string::npos) << m;
  EXPECT_NE(m.find("s3.secret-access-key"), std::string::npos) << m;
  m = Refusal({{"warehouse", "s3://b/w"}, {"s3.secret-acces-key", "not-printed"}});
  EXPECT_NE(m.find("\"s3.secret-acces-key\" (did you mean \"s3.secret-access-key\"?)"), std::string::npos) << m;
  EXPECT_EQ(m.find("not-printed"), std::string::npos) << "a value must never be printed: " << m;
  // A far-off name gets no guess, only the list.
  m = Refusal({{"type", "sql"}, {"uri", "sqlite:///x.db"}, {"pool_pre_ping", "true"}});
  EXPECT_NE(m.find("\"pool_pre_ping\"; the sql catalog takes "), std::string::npos) << m;
}

TEST(CatalogProperties, EachTypeTakesOnlyWhatItReads) {
  // The SQL catalog's credentials mean nothing to the file catalog, and a REST token nothing to SQL.
  EXPECT_NE(Refusal({{"jdbc.user", "u"}}).find("\"jdbc.user\""), std::string::npos);
  EXPECT_NE(Refusal({{"type", "sql"}, {"token", "t"}}).find("\"token\""), std::string::npos);
  // ref is Nessie's branch; a plain REST catalog would ignore it.
  EXPECT_NE(Refusal({{"type", "rest"}, {"ref", "main"}}).find("\"ref\""), std::string::npos);
  // braid implements none of the rest.* settings (SigV4 signing, ...): refused, not ignored.
  EXPECT_NE(Refusal({{"type", "rest"}, {"rest.sigv4-enabled", "true"}}).find("\"rest.sigv4-enabled\""),
            std::string::npos);
  // "header." alone names no header.
  EXPECT_NE(Refusal({{"type", "rest"}, {"header.", "x"}}).find("\"header.\""), std::string::npos);
  EXPECT_NE(Refusal({{"io-impl", "com.example.MyFileIO"}}).find("io-impl \"com.example.MyFileIO\""), std::string::npos);
}

TEST(CatalogProperties, AcceptsWhatBraidsCatalogsRead) {
  const Props ok[] = {
      {{"type", "file"}, {"warehouse", "/w"}, {"name", "n"}, {"s3.endpoint", "http://m:9000"},
       {"s3.path-style-access", "true"}, {"client.region", "eu-west-1"}, {"s3.retry.num-retries", "2"}},
      {{"type", "sql"}, {"uri", "jdbc:postgresql://h/db"}, {"jdbc.user", "u"}, {"jdbc.password", "p"},
       {"warehouse", "s3://b/w"}, {"s3.access-key-id", "k"}, {"s3.secret-access-key", "s"}},
      {{"type", "rest"}, {"uri", "http://c"}, {"credential", "id:secret"}, {"oauth2-server-uri", "http://a"},
       {"scope", "s"}, {"prefix", "p"}, {"header.X-Tenant", "t"}, {"s3.session-token", "t"}},
      // The seed notebook's Spark settings, pasted as they are.
      {{"catalog-impl", "org.apache.iceberg.nessie.NessieCatalog"}, {"uri", "http://n:19120/api/v2"},
       {"ref", "main"}, {"authentication.type", "NONE"}, {"warehouse", "s3a://openlakes/warehouse/"},
       {"io-impl", "org.apache.iceberg.aws.s3.S3FileIO"}, {"s3.endpoint", "http://minio:9000"},
       {"s3.path-style-access", "true"}},
      // An unsupported type is OpenCatalog's to refuse, with its own message.
      {{"type", "glue"}, {"glue.id", "1"}},
  };
  for (const Props& p : ok) {
    Status st = CatalogProperties::Check(p);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
}

TEST(CatalogProperties, OpenCatalogRefusesAnUnknownPropertyBeforeOpening) {
  Result<std::unique_ptr<Catalog>> c = OpenCatalog({{"type", "file"}, {"warehouse", "/nonexistent/w"},
                                                    {"s3.endpiont", "http://x"}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().kind(), StatusKind::kInvalidArgument);
  EXPECT_NE(c.status().message().find("\"s3.endpiont\""), std::string::npos) << c.status().message();
}

}  // namespace
}  // namespace braid
