#pragma once
// AvroRecordView: reads fields of a decoded Avro record by Iceberg field id, so manifests are
// understood whatever their field order or names (v1 and v2, Java, pyiceberg, braid).

#include <cstdint>
#include <optional>
#include <string>

#include "table/avro_datum.h"
#include "table/avro_schema.h"

namespace braid {

class AvroRecordView {
 public:
  /// Views `datum` through `schema`; both must outlive the view. A union schema is resolved to
  /// its first non-null branch.
  AvroRecordView(const AvroNode& schema, const AvroDatum& datum)
      : schema_(&Unwrap(schema)), datum_(&datum) {}

  /// The field with `field_id`, or nullopt when the schema lacks it or its value is null.
  std::optional<AvroRecordView> Field(int field_id) const {
    if (schema_->type != AvroType::kRecord || datum_->kind != AvroDatum::Kind::kRecord) return std::nullopt;
    int i = schema_->FieldIndexById(field_id);
    if (i < 0 || static_cast<size_t>(i) >= datum_->items.size()) return std::nullopt;
    const AvroDatum& value = datum_->items[i];
    if (value.is_null()) return std::nullopt;
    return AvroRecordView(*schema_->fields[i].type, value);
  }

  /// An int or long field, or nullopt when absent, null or of another type.
  std::optional<int64_t> Long(int field_id) const {
    std::optional<AvroRecordView> f = Field(field_id);
    if (!f || f->datum_->kind != AvroDatum::Kind::kLong) return std::nullopt;
    return f->datum_->long_value;
  }

  /// A boolean field.
  std::optional<bool> Bool(int field_id) const {
    std::optional<AvroRecordView> f = Field(field_id);
    if (!f || f->datum_->kind != AvroDatum::Kind::kBool) return std::nullopt;
    return f->datum_->long_value != 0;
  }

  /// A string, bytes or fixed field.
  std::optional<std::string> Bytes(int field_id) const {
    std::optional<AvroRecordView> f = Field(field_id);
    if (!f || f->datum_->kind != AvroDatum::Kind::kBytes) return std::nullopt;
    return f->datum_->bytes;
  }

  const AvroNode& schema() const { return *schema_; }
  const AvroDatum& datum() const { return *datum_; }

  /// The schema of an array's or map's items (resolved like the view's own schema).
  const AvroNode* ItemSchema() const { return schema_->items ? &Unwrap(*schema_->items) : nullptr; }

 private:
  static const AvroNode& Unwrap(const AvroNode& n) {
    if (n.type != AvroType::kUnion) return n;
    for (const AvroNodePtr& b : n.branches) {
      if (b->type != AvroType::kNull) return *b;
    }
    return n;
  }

  const AvroNode* schema_;
  const AvroDatum* datum_;
};

}  // namespace braid
