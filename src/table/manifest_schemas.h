#pragma once
// The Avro schemas of Iceberg v2 manifests and manifest lists, exactly as ICEBERG.md and the
// spec give them: every field with its "field-id", optional fields as ["null", T] with default
// null, int-keyed maps as arrays of k<kid>_v<vid> records with logicalType "map".

#include <string>

#include <nlohmann/json.hpp>

namespace braid {

/// The manifest_entry schema for a partition spec whose partition tuple is `partition_fields`
/// (an Avro fields array; [] for an unpartitioned table gives the empty record r102).
std::string ManifestEntrySchemaJson(const nlohmann::ordered_json& partition_fields);

/// The manifest_file schema of a v2 manifest list.
std::string ManifestListSchemaJson();

}  // namespace braid
