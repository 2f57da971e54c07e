#include "storage/s3_xml.h"

#include <gtest/gtest.h>

namespace braid {
namespace {

TEST(S3XmlTest, ParsesAListPageWithPrefixesAndToken) {
  auto page = S3Xml::ParseListPage(
      R"(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)"
      "<Name>b</Name><Prefix>wh/</Prefix><KeyCount>3</KeyCount><IsTruncated>true</IsTruncated>"
      "<NextContinuationToken>tok+/=</NextContinuationToken>"
      "<Contents><Key>wh/a&amp;b.json</Key><LastModified>2026-11-30T17:00:01.250Z</LastModified>"
      "<Size>12</Size><ETag>&quot;x&quot;</ETag></Contents>"
      "<Contents><Key>wh/&#233;.txt</Key><Size>0</Size></Contents>"
      "<CommonPrefixes><Prefix>wh/ns/</Prefix></CommonPrefixes></ListBucketResult>");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "wh/a&b.json");
  EXPECT_EQ(page->objects[0].size, 12u);
  EXPECT_EQ(page->objects[0].modified_ms, 1796058001250);  // date -d 2026-11-30T17:00:01Z +%s
  EXPECT_EQ(page->objects[1].modified_ms, 0);              // none given
  EXPECT_EQ(page->objects[1].key, "wh/\xC3\xA9.txt");
  ASSERT_EQ(page->common_prefixes.size(), 1u);
  EXPECT_EQ(page->common_prefixes[0], "wh/ns/");
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "tok+/=");
}

TEST(S3XmlTest, LastPageAndBadDocuments) {
  auto last = S3Xml::ParseListPage("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  ASSERT_TRUE(last.ok());
  EXPECT_FALSE(last->truncated);
  EXPECT_TRUE(last->objects.empty());
  EXPECT_EQ(S3Xml::ParseListPage("<Error><Code>NoSuchBucket</Code></Error>").status().kind(),
            StatusKind::kCorruption);
  EXPECT_EQ(S3Xml::ParseListPage("<ListBucketResult><Contents><Key>k</Key><Size>x</Size></Contents>"
                                 "</ListBucketResult>").status().kind(),
            StatusKind::kCorruption);
  EXPECT_EQ(S3Xml::ParseListPage("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>")
                .status().kind(),
            StatusKind::kCorruption);
}

TEST(S3XmlTest, LastModifiedTimes) {
  EXPECT_EQ(S3Xml::ParseLastModified("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(S3Xml::ParseLastModified("1970-01-02T00:00:01.5Z"), 86'401'500);
  EXPECT_EQ(S3Xml::ParseLastModified("2024-02-29T23:59:59.999999Z"), 1709251199999);
  for (const char* bad : {"", "2024-02-30T00:00:00Z", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00",
                          "2024-01-01T24:00:00Z", "2024-01-01T00:00:00.Z", "2024-0a-01T00:00:00Z"}) {
    EXPECT_FALSE(S3Xml::ParseLastModified(bad).has_value()) << bad;
  }
  EXPECT_EQ(S3Xml::ParseListPage("<ListBucketResult><Contents><Key>k</Key><Size>1</Size>"
                                 "<LastModified>yesterday</LastModified></Contents></ListBucketResult>")
                .status().kind(),
            StatusKind::kCorruption);
}

TEST(S3XmlTest, ErrorsUploadIdsAndCompleteBodies) {
  S3Error e = S3Xml::ParseError("<Error><Code>SlowDown</Code><Message>Reduce &lt;rate&gt;</Message></Error>");
  EXPECT_EQ(e.code, "SlowDown");
  EXPECT_EQ(e.message, "Reduce <rate>");
  EXPECT_TRUE(S3Xml::ParseError("").code.empty());
  auto id = S3Xml::ParseUploadId("<InitiateMultipartUploadResult><UploadId>u-1</UploadId></InitiateMultipartUploadResult>");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "u-1");
  EXPECT_FALSE(S3Xml::ParseUploadId("<X/>").ok());
  EXPECT_EQ(S3Xml::CompleteMultipartBody({"\"e1\"", "\"e2\""}),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part></CompleteMultipartUpload>");
}

}  // namespace
}  // namespace braid
