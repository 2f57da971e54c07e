#include "pipeline/pipeline_config.h"

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "base/time_format.h"

namespace braid {
namespace {

std::string Write(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

TEST(PipelineConfig, TheShippedExampleIsTheSeed) {
  auto c = PipelineConfig::Load(std::string(BRAID_SOURCE_DIR) + "/examples/pattern-2.4.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->database_name, "demo");
  EXPECT_EQ(c->iceberg_table, "unified_activity");
  EXPECT_EQ(c->watermark_delay, Duration::Seconds(30));
  EXPECT_EQ(c->purchase_join_window, Duration::Seconds(120));
  EXPECT_EQ(c->streaming_duration_seconds, 40);
  EXPECT_EQ(c->num_events_per_topic, 50);
  EXPECT_TRUE(c->enable_validation);
  EXPECT_FALSE(c->enable_cleanup);
  EXPECT_EQ(c->catalog.at("type"), "file");
  EXPECT_EQ(c->PipelineId(), "demo.unified_activity");
}

TEST(PipelineConfig, DurationsReadEveryWay) {
  auto c = PipelineConfig::Load(Write("d.toml",
                                      "watermark_delay = \"30s\"\n"
                                      "purchase_join_window = \"2m\"\n"
                                      "session_join_window = 90\n"
                                      "[kafka]\n\"security.protocol\" = \"SSL\"\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->watermark_delay, Duration::Seconds(30));
  EXPECT_EQ(c->purchase_join_window, Duration::Seconds(120));
  EXPECT_EQ(c->session_join_window, Duration::Seconds(90));
  EXPECT_EQ(c->ToKafkaConfig().properties.at("security.protocol"), "SSL");
}

// Spark's and pyiceberg's settings pasted as bare TOML keys: `s3.endpoint = ...` is a nested
// table in TOML and must still reach the catalog as the property "s3.endpoint".
TEST(PipelineConfig, DottedCatalogKeysAreOneProperty) {
  auto c = PipelineConfig::Load(Write("dotted.toml",
                                      "[catalog]\n"
                                      "catalog-impl = \"org.apache.iceberg.nessie.NessieCatalog\"\n"
                                      "authentication.type = \"NONE\"\n"
                                      "s3.endpoint = \"http://minio:9000\"\n"
                                      "s3.path-style-access = true\n"
                                      "\"header.X-Tenant\" = \"t1\"\n"
                                      "[kafka]\n"
                                      "security.protocol = \"SSL\"\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->catalog.at("authentication.type"), "NONE");
  EXPECT_EQ(c->catalog.at("s3.endpoint"), "http://minio:9000");
  EXPECT_EQ(c->catalog.at("s3.path-style-access"), "true");
  EXPECT_EQ(c->catalog.at("header.X-Tenant"), "t1");
  EXPECT_EQ(c->catalog.count("s3"), 0u);
  EXPECT_EQ(c->kafka.at("security.protocol"), "SSL");
  // The same property quoted and dotted is refused by name, not silently one of the two.
  auto twice = PipelineConfig::Load(Write("twice.toml",
                                          "[catalog]\n\"s3.endpoint\" = \"a\"\ns3.endpoint = \"b\"\n"));
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("catalog.s3.endpoint"), std::string::npos)
      << twice.status().message();
}

// Found by fuzzing: a float property beyond the 64-bit integer range was converted to an
// integer (undefined behaviour). Integers and floats are written as they read.
TEST(PipelineConfig, NumericPropertiesKeepTheirValue) {
  // [catalog] without a type: its names are checked once flags are merged, not here.
  auto c = PipelineConfig::Load(Write("numbers.toml",
                                      "[kafka]\n\"fetch.wait.max.ms\" = 50\n"
                                      "[catalog]\n\"name\" = 6.5275555555554e23\n\"s3.region\" = 0.5\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->kafka.at("fetch.wait.max.ms"), "50");
  EXPECT_EQ(c->catalog.at("s3.region"), "0.5");
  EXPECT_EQ(c->catalog.at("name"), "6.5275555555554e+23");
}

// Found by fuzzing: a float where a whole number or a duration in seconds goes was converted
// to an integer (undefined behaviour beyond the integer range). It is refused by name.
TEST(PipelineConfig, FloatsAreNotWholeNumbers) {
  for (const char* text : {"watermark_delay = 3.05511111e154\n", "watermark_delay = 30.0\n"}) {
    auto c = PipelineConfig::Load(Write("float.toml", text));
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_NE(c.status().message().find("watermark_delay"), std::string::npos)
        << c.status().message();
  }
}

TEST(PipelineConfig, RefusesUnknownKeysAndBadValuesByName) {
  struct Case {
    const char* text;
    const char* must_mention;
  };
  for (const Case& k : {Case{"watermark_dely = \"30s\"\n", "watermark_dely"},
                        Case{"watermark_delay = \"soon\"\n", "watermark_delay"},
                        Case{"num_events_per_topic = -1\n", "num_events_per_topic"},
                        Case{"enable_cleanup = \"yes\"\n", "enable_cleanup"},
                        Case{"database_name = 3\n", "database_name"},
                        Case{"this is not toml", "bad.toml"}}) {
    auto c = PipelineConfig::Load(Write("bad.toml", k.text));
    ASSERT_FALSE(c.ok()) << k.text;
    EXPECT_EQ(c.status().kind(), StatusKind::kInvalidArgument);
    EXPECT_NE(c.status().message().find(k.must_mention), std::string::npos)
        << c.status().message();
  }
}

TEST(PipelineConfig, MaintenanceTableAndItsDefaults) {
  auto defaults = PipelineConfig::Load(Write("m0.toml", "database_name = \"demo\"\n"));
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->maintenance.enabled);
  EXPECT_EQ(defaults->maintenance.interval, Duration::Seconds(600));
  EXPECT_EQ(defaults->maintenance.retain_last, 10);
  auto c = PipelineConfig::Load(Write("m.toml",
                                      "[maintenance]\n"
                                      "enabled = false\n"
                                      "interval = \"30s\"\n"
                                      "compact_older_than = 60\n"
                                      "target_file_size = \"64MiB\"\n"
                                      "expire_older_than = \"2h\"\n"
                                      "retain_last = 3\n"
                                      "orphans_older_than = \"3d\"\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->maintenance.enabled);
  EXPECT_EQ(c->maintenance.interval, Duration::Seconds(30));
  EXPECT_EQ(c->maintenance.compact_older_than, Duration::Seconds(60));
  EXPECT_EQ(c->maintenance.target_file_size, 64 << 20);
  EXPECT_EQ(c->maintenance.expire_older_than, Duration::Seconds(7200));
  EXPECT_EQ(c->maintenance.retain_last, 3);
  EXPECT_EQ(c->maintenance.orphans_older_than, Duration::Seconds(3 * 86400));
  struct Case {
    const char* text;
    const char* must_mention;
  };
  for (const Case& k : {Case{"[maintenance]\nretian_last = 3\n", "maintenance.retian_last"},
                        Case{"[maintenance]\nretain_last = 0\n", "retain_last"},
                        Case{"[maintenance]\norphans_older_than = \"10m\"\n", "at least 1h"},
                        Case{"[maintenance]\ninterval = 0\n", "interval"},
                        Case{"[maintenance]\ntarget_file_size = \"big\"\n", "target_file_size"},
                        Case{"maintenance = true\n", "maintenance"}}) {
    auto bad = PipelineConfig::Load(Write("mbad.toml", k.text));
    ASSERT_FALSE(bad.ok()) << k.text;
    EXPECT_EQ(bad.status().kind(), StatusKind::kInvalidArgument);
    EXPECT_NE(bad.status().message().find(k.must_mention), std::string::npos) << bad.status().message();
  }
}

// Found by the pipeline_config fuzz target: a whole number of seconds had no bounds, so a
// negative window was accepted and a huge one overflowed when converted to microseconds.
TEST(PipelineConfig, WholeSecondDurationsAreBounded) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& k : {
           Case{"idle_timeout = -5\n", "p.toml: idle_timeout must be a duration from 0 to 100000000000 seconds"},
           Case{"watermark_delay = 9223372036854775807\n",
                "p.toml: watermark_delay: 9223372036854775807 seconds is too large: the most is 100000000000 "
                "(about 3,170 years)"},
           Case{"commit_interval = 100000000001\n",
                "p.toml: commit_interval: 100000000001 seconds is too large: the most is 100000000000 "
                "(about 3,170 years)"}}) {
    auto c = PipelineConfig::Parse(k.text, "p.toml");
    ASSERT_FALSE(c.ok()) << k.text;
    EXPECT_EQ(c.status().message(), k.message);
  }
  auto c = PipelineConfig::Parse("commit_interval = 100000000000\nidle_timeout = 0\n", "p.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->commit_interval.micros(), kMaxDurationMicros);
  EXPECT_EQ(c->idle_timeout.micros(), 0);
}

// A typo in [kafka] or [catalog] was accepted and then ignored (or failed only when the first
// consumer started): librdkafka checks its own names, braid's list the catalog's.
TEST(PipelineConfig, UnknownKafkaAndCatalogPropertiesAreRefusedByName) {
  struct Case {
    const char* text;
    const char* must_mention;
  };
  for (const Case& k : {
           Case{"[kafka]\nsecurity.protocl = \"SSL\"\n", "p.toml: [kafka]: Kafka property \"security.protocl\""},
           Case{"[kafka]\n\"fetch.max.bytes\" = -1\n", "\"fetch.max.bytes\""},
           Case{"[catalog]\ntype = \"file\"\nwarehuose = \"/w\"\n",
                "p.toml: [catalog]: unknown catalog property \"warehuose\" (did you mean \"warehouse\"?)"},
           Case{"[catalog]\ntype = \"rest\"\nuri = \"http://c\"\ns3.secret-acces-key = \"k\"\n",
                "\"s3.secret-acces-key\" (did you mean \"s3.secret-access-key\"?); the rest catalog takes "},
           Case{"[katalog]\ntype = \"file\"\n", "unknown key \"katalog\"; the keys are "},
       }) {
    auto bad = PipelineConfig::Parse(k.text, "p.toml");
    ASSERT_FALSE(bad.ok()) << k.text;
    EXPECT_EQ(bad.status().kind(), StatusKind::kInvalidArgument);
    EXPECT_NE(bad.status().message().find(k.must_mention), std::string::npos) << bad.status().message();
  }
  // Properties librdkafka knows, of either client, pass; so does a [catalog] without a type,
  // whose type a --catalog-property may still give (checked once the flags are merged).
  auto ok = PipelineConfig::Parse(
      "[kafka]\n\"security.protocol\" = \"SSL\"\n\"fetch.max.bytes\" = 1048576\nacks = \"all\"\n"
      "[catalog]\nuri = \"sqlite:///c.db\"\n", "p.toml");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
}

// "99999999999999999999s" was refused as a malformed duration; it is only too large.
TEST(PipelineConfig, AHugeDurationIsTooLargeNotMalformed) {
  auto c = PipelineConfig::Parse("watermark_delay = \"99999999999999999999s\"\n", "p.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "p.toml: watermark_delay: duration \"99999999999999999999s\" is too large: the most is "
            "100000000000s (about 3,170 years)");
  c = PipelineConfig::Parse("watermark_delay = true\n", "p.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("watermark_delay must be a duration"), std::string::npos) << c.status().message();
}

TEST(PipelineConfig, ParseNamesThePathInErrors) {
  auto c = PipelineConfig::Parse("this is not toml", "conf/p.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("conf/p.toml:1:"), std::string::npos) << c.status().message();
  EXPECT_EQ(PipelineConfig::Load("/nonexistent/p.toml").status().kind(), StatusKind::kNotFound);
}

}  // namespace
}  // namespace braid
