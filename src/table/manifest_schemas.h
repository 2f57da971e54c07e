#pragma once
// The Avro schemas of Iceberg v2 manifests and manifest lists, exactly as ICEBERG.md and the
// spec give them: every field with its "field-id", optional fields as ["null", T] with default
// null, int-keyed maps as arrays of k<kid>_v<vid> records with logicalType "map".

#include <string>

#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "table/iceberg_schema.h"
#include "table/partition_spec.h"

namespace braid {

/// The manifest_entry schema for a partition spec whose partition tuple is `partition_fields`
/// (an Avro fields array; [] for an unpartitioned table gives the empty record r102).
std::string ManifestEntrySchemaJson(const nlohmann::ordered_json& partition_fields);

/// The Avro fields of the partition tuple (r102) of `spec` over `schema`: each partition field
/// optional, with its field id, typed by its transform's result type (date as int with
/// logicalType date, timestamptz as long with timestamp-micros). InvalidArgument naming the
/// field when its source is not in the schema or its transform is unknown to braid.
Result<nlohmann::ordered_json> PartitionAvroFields(const PartitionSpec& spec, const IcebergSchema& schema);

/// The Iceberg types of `spec`'s partition values over `schema`, in field order ("" where the
/// source or transform is unknown).
std::vector<std::string> PartitionResultTypes(const PartitionSpec& spec, const IcebergSchema& schema);

/// The manifest_file schema of a v2 manifest list.
std::string ManifestListSchemaJson();

}  // namespace braid
