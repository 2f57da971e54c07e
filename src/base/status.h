#pragma once
// Status: the outcome of a fallible operation. Success is one null pointer; a failure carries
// a kind, a message that names the object (topic/partition/offset, table, file path) and
// whether retrying may help. Programmer errors are assertions, not statuses.

#include <memory>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace braid {

enum class StatusKind {
  kOk = 0,
  kInvalidArgument,  // the user's input or configuration is wrong
  kNotFound,         // a named object does not exist
  kAlreadyExists,    // create found the object there
  kConflict,         // lost a race with another writer (commit): reload and retry
  kIoError,          // file system, network or broker failure
  kCorruption,       // a file or message is not what its format says
  kUnavailable,      // a peer cannot be reached (yet)
  kInternal,         // a bug or an impossible state reported by a library
  kFencedOut,        // another process now owns what this one was writing: stop, never retry
  kDataLoss,         // input this run should have read no longer exists
};

/// Returns a short lower-case name for `kind` ("invalid argument", "conflict", ...).
const char* StatusKindName(StatusKind kind);

class [[nodiscard]] Status {
 public:
  /// Success.
  Status() = default;
  Status(StatusKind kind, std::string message, bool retriable = false);

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusKind::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusKind::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusKind::kAlreadyExists, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusKind::kConflict, std::move(m), true}; }
  static Status IoError(std::string m, bool retriable = false) {
    return {StatusKind::kIoError, std::move(m), retriable};
  }
  static Status Corruption(std::string m) { return {StatusKind::kCorruption, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusKind::kUnavailable, std::move(m), true}; }
  static Status Internal(std::string m) { return {StatusKind::kInternal, std::move(m)}; }
  static Status FencedOut(std::string m) { return {StatusKind::kFencedOut, std::move(m)}; }
  static Status DataLoss(std::string m) { return {StatusKind::kDataLoss, std::move(m)}; }

  bool ok() const { return state_ == nullptr; }
  StatusKind kind() const { return state_ ? state_->kind : StatusKind::kOk; }
  bool retriable() const { return state_ && state_->retriable; }
  /// The message alone ("" on success).
  const std::string& message() const;
  /// "<kind>: <message>", or "ok".
  std::string ToString() const;

  /// Returns a copy whose message is prefixed by `context` + ": ".
  Status WithContext(std::string_view context) const;

 private:
  struct State {
    StatusKind kind;
    std::string message;
    bool retriable;
  };
  std::unique_ptr<State> state_;
};

}  // namespace braid

#define BRAID_CONCAT_IMPL(a, b) a##b
#define BRAID_CONCAT(a, b) BRAID_CONCAT_IMPL(a, b)

/// Returns the status from the enclosing function if `expr` is not ok.
#define BRAID_RETURN_IF_ERROR(expr)                        \
  do {                                                     \
    ::braid::Status braid_status_ = (expr);                \
    if (!braid_status_.ok()) return braid_status_;         \
  } while (false)
