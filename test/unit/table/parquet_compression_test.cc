#include "table/parquet_compression.h"

#include <gtest/gtest.h>

namespace braid {
namespace {

Result<ParquetCompression> Of(std::map<std::string, std::string> properties) {
  TableMetadata m;
  m.properties = std::move(properties);
  return ParquetCompression::Of(m);
}

TEST(ParquetCompression, DefaultsToZstdAtTheCodecsOwnLevel) {
  Result<ParquetCompression> c = Of({});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->codec, "zstd");
  EXPECT_FALSE(c->level.has_value());
  EXPECT_EQ(c->CopyOptions(), "COMPRESSION zstd");
}

TEST(ParquetCompression, ReadsTheTablesCodecAndZstdLevel) {
  Result<ParquetCompression> snappy = Of({{"write.parquet.compression-codec", "SNAPPY"}});
  ASSERT_TRUE(snappy.ok()) << snappy.status().ToString();
  EXPECT_EQ(snappy->CopyOptions(), "COMPRESSION snappy");
  for (const char* codec : {"gzip", "brotli", "lz4_raw", "uncompressed", "Zstd"}) {
    EXPECT_TRUE(Of({{"write.parquet.compression-codec", codec}}).ok()) << codec;
  }
  Result<ParquetCompression> fast = Of({{"write.parquet.compression-level", "1"}});
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  EXPECT_EQ(fast->CopyOptions(), "COMPRESSION zstd, COMPRESSION_LEVEL 1");
  Result<ParquetCompression> max =
      Of({{"write.parquet.compression-codec", "zstd"}, {"write.parquet.compression-level", "22"}});
  ASSERT_TRUE(max.ok()) << max.status().ToString();
  EXPECT_EQ(max->level, 22);
}

TEST(ParquetCompression, RefusesByNameWhatBraidDoesNotWrite) {
  auto message = [](std::map<std::string, std::string> p) {
    Result<ParquetCompression> c = Of(std::move(p));
    EXPECT_FALSE(c.ok());
    EXPECT_EQ(c.status().kind(), StatusKind::kInvalidArgument);
    return c.ok() ? std::string() : c.status().message();
  };
  for (const char* codec : {"lz4", "lzo", "bzip2", ""}) {
    const std::string m = message({{"write.parquet.compression-codec", codec}});
    EXPECT_NE(m.find("write.parquet.compression-codec = \"" + std::string(codec) + "\""), std::string::npos) << m;
    EXPECT_NE(m.find("lz4_raw"), std::string::npos) << m;  // what braid takes instead
  }
  for (const char* level : {"0", "23", "-1", "3x", "", "fast"}) {
    const std::string m = message({{"write.parquet.compression-level", level}});
    EXPECT_NE(m.find("write.parquet.compression-level = \"" + std::string(level) + "\""), std::string::npos) << m;
    EXPECT_NE(m.find("from 1 to 22"), std::string::npos) << m;
  }
  const std::string m =
      message({{"write.parquet.compression-codec", "gzip"}, {"write.parquet.compression-level", "9"}});
  EXPECT_NE(m.find("zstd only"), std::string::npos) << m;
}

}  // namespace
}  // namespace braid
