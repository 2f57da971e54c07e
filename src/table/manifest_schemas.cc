#include "table/manifest_schemas.h"

#include <fmt/format.h>

namespace braid {
namespace {

using ojson = nlohmann::ordered_json;

ojson Field(const char* name, ojson type, int id) {
  ojson f;
  f["name"] = name;
  f["type"] = std::move(type);
  f["field-id"] = id;
  return f;
}

ojson Optional(const char* name, ojson type, int id) {
  ojson f;
  f["name"] = name;
  f["type"] = ojson::array({"null", std::move(type)});
  f["default"] = nullptr;
  f["field-id"] = id;
  return f;
}

ojson Record(const std::string& name, ojson fields) {
  ojson r;
  r["type"] = "record";
  r["name"] = name;
  r["fields"] = std::move(fields);
  return r;
}

// map<int, value_type> as Iceberg encodes it in Avro.
ojson IntMap(int key_id, int value_id, const char* value_type) {
  ojson a;
  a["type"] = "array";
  a["items"] = Record(fmt::format("k{}_v{}", key_id, value_id),
                      ojson::array({Field("key", "int", key_id), Field("value", value_type, value_id)}));
  a["logicalType"] = "map";
  return a;
}

ojson List(const char* item_type, int element_id) {
  ojson a;
  a["type"] = "array";
  a["items"] = item_type;
  a["element-id"] = element_id;
  return a;
}

}  // namespace

std::string ManifestEntrySchemaJson(const ojson& partition_fields) {
  ojson data_file = Record("r2", ojson::array({
      Field("content", "int", 134),
      Field("file_path", "string", 100),
      Field("file_format", "string", 101),
      Field("partition", Record("r102", partition_fields), 102),
      Field("record_count", "long", 103),
      Field("file_size_in_bytes", "long", 104),
      Optional("column_sizes", IntMap(117, 118, "long"), 108),
      Optional("value_counts", IntMap(119, 120, "long"), 109),
      Optional("null_value_counts", IntMap(121, 122, "long"), 110),
      Optional("nan_value_counts", IntMap(138, 139, "long"), 137),
      Optional("lower_bounds", IntMap(126, 127, "bytes"), 125),
      Optional("upper_bounds", IntMap(129, 130, "bytes"), 128),
      Optional("split_offsets", List("long", 133), 132),
      Optional("sort_order_id", "int", 140),
  }));
  ojson entry = Record("manifest_entry", ojson::array({
      Field("status", "int", 0),
      Optional("snapshot_id", "long", 1),
      Optional("sequence_number", "long", 3),
      Optional("file_sequence_number", "long", 4),
      Field("data_file", std::move(data_file), 2),
  }));
  return entry.dump();
}

std::vector<std::string> PartitionResultTypes(const PartitionSpec& spec, const IcebergSchema& schema) {
  std::vector<std::string> out;
  for (const PartitionField& f : spec.fields) {
    const SchemaField* source = schema.FindField(f.source_id);
    out.push_back(source && source->type.is_string() ? f.transform.ResultType(source->type.get<std::string>()) : "");
  }
  return out;
}

Result<ojson> PartitionAvroFields(const PartitionSpec& spec, const IcebergSchema& schema) {
  std::vector<std::string> types = PartitionResultTypes(spec, schema);
  ojson fields = ojson::array();
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    const PartitionField& f = spec.fields[i];
    ojson avro;
    if (types[i] == "int" || types[i] == "long" || types[i] == "string" || types[i] == "double") {
      avro = types[i];
    } else if (types[i] == "date") {
      avro = {{"type", "int"}, {"logicalType", "date"}};
    } else if (types[i] == "timestamptz") {
      avro = {{"type", "long"}, {"logicalType", "timestamp-micros"}, {"adjust-to-utc", true}};
    } else {
      return Status::InvalidArgument(fmt::format(
          "partition field {} ({} of source field {}): braid cannot write this partition value",
          f.name, f.transform.ToString(), f.source_id));
    }
    fields.push_back(Optional(f.name.c_str(), std::move(avro), f.field_id));
  }
  return fields;
}

std::string ManifestListSchemaJson() {
  ojson summary = Record("r508", ojson::array({
      Field("contains_null", "boolean", 509),
      Optional("contains_nan", "boolean", 518),
      Optional("lower_bound", "bytes", 510),
      Optional("upper_bound", "bytes", 511),
  }));
  ojson partitions;
  partitions["type"] = "array";
  partitions["items"] = std::move(summary);
  partitions["element-id"] = 508;
  ojson list = Record("manifest_file", ojson::array({
      Field("manifest_path", "string", 500),
      Field("manifest_length", "long", 501),
      Field("partition_spec_id", "int", 502),
      Field("content", "int", 517),
      Field("sequence_number", "long", 515),
      Field("min_sequence_number", "long", 516),
      Field("added_snapshot_id", "long", 503),
      Field("added_files_count", "int", 504),
      Field("existing_files_count", "int", 505),
      Field("deleted_files_count", "int", 506),
      Field("added_rows_count", "long", 512),
      Field("existing_rows_count", "long", 513),
      Field("deleted_rows_count", "long", 514),
      Optional("partitions", std::move(partitions), 507),
  }));
  return list.dump();
}

}  // namespace braid
