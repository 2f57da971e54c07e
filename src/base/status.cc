#include "base/status.h"

namespace braid {

const char* StatusKindName(StatusKind kind) {
  switch (kind) {
    case StatusKind::kOk: return "ok";
    case StatusKind::kInvalidArgument: return "invalid argument";
    case StatusKind::kNotFound: return "not found";
    case StatusKind::kAlreadyExists: return "already exists";
    case StatusKind::kConflict: return "conflict";
    case StatusKind::kIoError: return "I/O error";
    case StatusKind::kCorruption: return "corruption";
    case StatusKind::kUnavailable: return "unavailable";
    case StatusKind::kInternal: return "internal error";
    case StatusKind::kFencedOut: return "stopped";
    case StatusKind::kDataLoss: return "data loss";
  }
  return "unknown";
}

Status::Status(StatusKind kind, std::string message, bool retriable)
    : state_(std::make_unique<State>(State{kind, std::move(message), retriable})) {}

Status::Status(const Status& other)
    : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
  return *this;
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return fmt::format("{}: {}", StatusKindName(state_->kind), state_->message);
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return Status();
  return Status(state_->kind, fmt::format("{}: {}", context, state_->message), state_->retriable);
}

}  // namespace braid
